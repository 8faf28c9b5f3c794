export { pack, byPackingOrder } from './pack.js';
export { CONSTRAINT_OPERATORS, constraintError, satisfies, satisfiesAll } from './constraints.js';
export type { Constraint, ConstraintOperator } from './constraints.js';
export { attributeString, offerAttributes, offerRole, portRanges, scalarResources } from './read.js';
export { takePorts, toRanges } from './ranges.js';
export type { OfferLaunch, PackResult, PlacedTask, Placement, ResourceNeed, ScalarResources, TaskRequest } from './types.js';
