/** An API error answered as Pennylane's spec shape `{"error": "<message>", "status": <code>}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ApiError(400, message);
export const notFound = () => new ApiError(404, 'Not Found');
