// Authoring checks for exercises 01, 03, 05, ... (see authoring.ts).
import { authoring_suite } from './authoring';

authoring_suite(0);
