/**
 * The services' API types, one namespace per service: `Asset.components["schemas"]["AssetPublic"]`.
 * Generated from each service's OpenAPI document; see scripts/generate.mjs.
 */
export type * as Asset from "./asset";
export type * as Dashboard from "./dashboard";
export type * as Employee from "./employee";
export type * as Invoice from "./invoice";
export type * as Notification from "./notification";
