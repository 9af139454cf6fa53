// The redactor lives in the bottom layer (src/util/redact.ts), shared with the campaign and the store.
export { makeRedactor, type Redactor } from "../../util/redact.js";
