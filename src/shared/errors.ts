/**
 * What the domain throws when a request cannot be served. Each says what went wrong in words a caller can act
 * on, naming the field when there is one; the API maps each `kind` to its code in one place (api/errors.ts),
 * and the compiler refuses a kind without a code.
 */
export abstract class DomainError extends Error {
  override name = this.constructor.name;
  abstract readonly kind:
    | 'not_found'
    | 'quota_exceeded'
    | 'payload_too_large'
    | 'invalid_input'
    | 'invalid_template'
    | 'invalid_cursor'
    | 'template_render'
    | 'unauthorized';
}

/** What a thrown value says, whatever was thrown. */
export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** No such record in this project (or it is another project's). */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(what: string, id: string, detail = 'not found') {
    super(`${what} ${id} ${detail}`);
  }
}

/** A limit of the deployment (`MAX_WEBHOOKS_PER_PROJECT`, say) is reached. */
export class QuotaExceededError extends DomainError {
  readonly kind = 'quota_exceeded';
}

/** Something would be larger than `MAX_PAYLOAD_BYTES`. */
export class PayloadTooLargeError extends DomainError {
  readonly kind = 'payload_too_large';
}

/** A problem of one input field, named by its dotted path (`triggers.0.actions`); '' for the input as a whole. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Input that the schemas accept but a rule refuses; the message starts with the field, `url: …`. */
export class InvalidInputError extends DomainError {
  readonly kind = 'invalid_input';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }

  /** Each problem at its field (`url: …` → `{ path: 'url', message: '…' }`), for a form to show beside it. */
  get issues(): FieldIssue[] {
    return this.problems.map((problem) => {
      const at = /^([^\s:]+): ([\s\S]*)$/.exec(problem);
      return at ? { path: at[1]!, message: at[2]! } : { path: '', message: problem };
    });
  }

  static field(field: string, problem: string): InvalidInputError {
    return new InvalidInputError([`${field}: ${problem}`]);
  }
}

/** A template that does not compile, or renders what its content type refuses. */
export class InvalidTemplateError extends DomainError {
  readonly kind = 'invalid_template';
}

/** A page cursor this API did not hand out. */
export class InvalidCursorError extends DomainError {
  readonly kind = 'invalid_cursor';
  constructor() {
    super('cursor: is not a cursor this API handed out');
  }
}

/** A template that compiled but failed as it rendered: a limit reached, too slow, or an error in it. */
export class TemplateRenderError extends DomainError {
  readonly kind = 'template_render';
}

/** A caller without the credentials a flow webhook (or the API) requires. */
export class UnauthorizedError extends DomainError {
  readonly kind = 'unauthorized';
}

/**
 * Not the caller's fault and not for good: something this process needs is overloaded for now (every template
 * thread taken). Not a DomainError, so an activity that meets it is retried; the API answers 503.
 */
export class BusyError extends Error {
  override name = 'BusyError';
  readonly kind = 'busy';
}

/** What the API answers with a code of its own rather than as an internal failure. */
export type ExpectedError = DomainError | BusyError;
export const isExpectedError = (err: unknown): err is ExpectedError =>
  err instanceof DomainError || err instanceof BusyError;
