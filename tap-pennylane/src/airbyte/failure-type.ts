import { AirbyteUsageError } from '../../../airbyte/src/cli-support.js';
import { AirbyteCatalogError } from '../../../airbyte/src/configured-catalog.js';
import type { FailureType } from '../../../airbyte/src/messages.js';
import { AirbyteStateError } from '../../../airbyte/src/source-mapping.js';
import { CatalogError } from '../../../singer/src/catalog.js';
import { ConfigError } from '../../../singer/src/settings.js';
import {
  BadRequestError,
  MissingScopeError,
  NetworkError,
  RateLimitError,
  ServerError,
  TokenRejectedError,
} from '../http/errors.js';
import { ExportFailedError } from '../sync/export.js';
import { MissingScopesError } from '../sync/scopes.js';
import { StateError } from '../sync/state.js';

/**
 * What the platform should make of a failure: config_error (the user must fix the token, its scopes, a
 * setting, the catalog or the state), transient_error (rate limit, 5xx, network: a retry may pass) or
 * system_error (anything else: a bug, an API change, a file we cannot read). An export job that Pennylane
 * reports in error, or that stays pending, is transient. The cause chain is searched, so an error wrapped
 * by a stream keeps its class.
 */
export function failureTypeOf(err: unknown): FailureType {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (
      e instanceof TokenRejectedError ||
      e instanceof MissingScopeError ||
      e instanceof MissingScopesError ||
      e instanceof BadRequestError ||
      e instanceof ConfigError ||
      e instanceof CatalogError ||
      e instanceof StateError ||
      e instanceof AirbyteCatalogError ||
      e instanceof AirbyteStateError ||
      e instanceof AirbyteUsageError
    )
      return 'config_error';
    if (e instanceof RateLimitError || e instanceof ServerError || e instanceof NetworkError)
      return 'transient_error';
    // Pennylane's own export failures (job in error, still pending, no file): "retry later". Wrapping
    // another error, the cause decides.
    if (e instanceof ExportFailedError && !(e.cause instanceof Error)) return 'transient_error';
  }
  return 'system_error';
}
