/**
 * What the domain throws when a request cannot be served. Each says what went wrong in words a caller can act
 * on, naming the field when there is one; the API maps them to its codes in one place (api/trpc.ts).
 */
export abstract class DomainError extends Error {
  override name = this.constructor.name;
}

/** What a thrown value says, whatever was thrown. */
export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** No such record in this project (or it is another project's). */
export class NotFoundError extends DomainError {
  constructor(kind: string, id: string, detail = 'not found') {
    super(`${kind} ${id} ${detail}`);
  }
}

/** A limit of the deployment (`MAX_WEBHOOKS_PER_PROJECT`, say) is reached. */
export class QuotaExceededError extends DomainError {}

/** Something would be larger than `MAX_PAYLOAD_BYTES`. */
export class PayloadTooLargeError extends DomainError {}

/** Input that the schemas accept but a rule refuses; the message starts with the field, `url: …`. */
export class InvalidInputError extends DomainError {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }

  static field(field: string, problem: string): InvalidInputError {
    return new InvalidInputError([`${field}: ${problem}`]);
  }
}

/** A template that does not compile, or renders what its content type refuses. */
export class InvalidTemplateError extends DomainError {}

/** A page cursor this API did not hand out. */
export class InvalidCursorError extends DomainError {
  constructor() {
    super('cursor: is not a cursor this API handed out');
  }
}

/** A template that compiled but failed as it rendered: a limit reached, too slow, or an error in it. */
export class TemplateRenderError extends DomainError {}

/** A caller without the credentials a flow webhook (or the API) requires. */
export class UnauthorizedError extends DomainError {}
