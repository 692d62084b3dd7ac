// The interleaving explorer: everything an exercise test or the study site needs.
export { explore, type explore_options, type exploration, type failure } from './explore';
export { replay, replay_schedule, type replay_result } from './replay';
export { build_timeline, format_entry, render_timeline, type render_options, type timeline_entry } from './render';
export { run_scenario, schedule_mismatch_error, type run_options, type run_outcome, type decision_note, type printk_note } from './run';
export { ALL_FAILURE_KINDS, type scenario } from './scenario';
export {
  format_schedule,
  MODEL_VERSION,
  parse_schedule,
  preemptions,
  schedule_checksum,
  SCHEDULE_FORMAT,
  schedule_string_error,
  type deviation,
  type parsed_schedule,
  type schedule,
} from './schedule';
export { failure_signature, type run_failure } from './failures';
export { minimise_schedule, type minimised } from './minimise';
export { check_failure, check_no_failures, coverage_text, describe_failure, type verdict, type verdict_options } from './verdict';
export { expectFailure, expectNoFailures } from './expect';
