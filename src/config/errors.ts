// The typed errors live in the bottom layer (src/util/errors.ts) so that every layer can throw them; the
// config layer re-exports them for its callers.
export {
  ConfigError,
  CurioError,
  ExitCode,
  type ExitCodeValue,
  UnreachableError,
} from "../util/errors.js";
