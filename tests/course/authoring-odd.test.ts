// Authoring checks for exercises 02, 04, 06, ... (see authoring.ts).
import { authoring_suite } from './authoring';

authoring_suite(1);
