export {
  POLICIES_DIR_VARIABLE,
  createPolicyRegistry,
  loadPolicies,
  parsePolicyFiles,
  policiesDirFrom,
  validatePolicyText,
  type PolicyFile,
  type PolicyRegistry,
} from './load-policies';
export { formatPolicyErrors, jsonPath, type PolicyError, type PolicyLoadFailure } from './policy-error';
export { policySchemaPath } from './policy-schema';
export { POLICY_SCOPE } from './policy-semantics';
export { loadPoliciesOrExit, type FatalLogger } from './startup';
