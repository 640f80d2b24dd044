import {
  BadRequestError,
  ChangelogWindowError,
  ExportUrlExpiredError,
  InvalidResponseError,
  MissingScopeError,
  NotFoundError,
  type PennylaneApiError,
  type RequestPlace,
  safeUrl,
  scopeFromMessage,
  TokenRejectedError,
  UnprocessableError,
} from './errors.js';

/**
 * One clear error for a status that retrying cannot fix. A download's 403 and 404 mean the export's
 * file is gone, not a missing scope or a wrong base_url.
 */
export function statusError(
  p: RequestPlace,
  request: { download: boolean; base: URL },
  status: number,
  apiMessage: string | undefined,
): PennylaneApiError {
  const stream = p.stream ? `stream ${p.stream}` : 'the stream';
  switch (status) {
    case 400:
      return new BadRequestError(p, {
        status,
        summary: 'bad request',
        apiMessage,
        hint: 'the API refused the parameters; check start_date and the other settings, else report it as a tap bug',
      });
    case 401:
      return new TokenRejectedError(p, {
        status,
        summary: 'token rejected',
        apiMessage,
        hint: 'check api_token (or PENNYLANE_API_TOKEN): it may be mistyped, revoked or expired; create one in Pennylane › Settings › Connectivity › Developers',
      });
    case 403: {
      if (request.download)
        return new ExportUrlExpiredError(p, {
          status,
          summary: 'export file URL refused (expired)',
          apiMessage,
          hint: 'file URLs expire 30 minutes after the export is ready; the export must be created again',
        });
      const scope = scopeFromMessage(apiMessage);
      return new MissingScopeError(p, {
        status,
        scope,
        summary: scope ? `the token lacks scope "${scope}"` : 'the token lacks a scope for this resource',
        apiMessage,
        hint: `grant ${scope ? `"${scope}"` : 'the scope'} to the API token in Pennylane, or deselect ${stream}`,
      });
    }
    case 404:
      return new NotFoundError(p, {
        status,
        summary: 'not found',
        apiMessage,
        hint: request.download
          ? 'the export file is gone; the export must be created again'
          : `check base_url (${safeUrl(request.base)}; expected …/api/external/v2): ${p.path} does not exist for this company`,
      });
    case 422:
      return p.path.startsWith('/changelogs/')
        ? new ChangelogWindowError(p, {
            status,
            summary: 'changelog start_date refused',
            apiMessage,
            hint: `start_date is older than the changelog's 4-week retention: ${stream} needs a full listing`,
          })
        : new UnprocessableError(p, {
            status,
            summary: 'unprocessable',
            apiMessage,
            hint: `${stream} needs a full listing`,
          });
    default:
      return new InvalidResponseError(p, {
        status,
        summary: 'unexpected status',
        apiMessage,
        hint: 'the API answered with a status the tap does not expect; rerun later or report it',
      });
  }
}
