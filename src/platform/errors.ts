/** An error the user can be told about, with an HTTP status and a stable code. */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Page not found') {
    super(404, 'not_found', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You do not have permission to do that') {
    super(403, 'forbidden', message);
  }
}

/** Thrown by a service when a request is valid in shape but not in substance. */
export class ValidationError extends AppError {
  readonly field: string;
  /** Further problems found at the same time, each shown in the error summary. */
  readonly others: readonly { field: string; message: string }[];
  constructor(field: string, message: string, others: readonly { field: string; message: string }[] = []) {
    super(400, 'invalid', message);
    this.field = field;
    this.others = others;
  }

  /** One error carrying every problem of a list (which must not be empty). */
  static of(problems: readonly { field: string; message: string }[]): ValidationError {
    const [first, ...rest] = problems;
    if (!first) throw new Error('ValidationError.of needs at least one problem');
    return new ValidationError(first.field, first.message, rest);
  }
}

/** A refusal that tells the person why, and what they can do to qualify. */
export class RefusalError extends AppError {
  readonly howToQualify: string;
  readonly qualifyLink: { href: string; text: string } | undefined;
  constructor(
    code: string,
    message: string,
    howToQualify: string,
    qualifyLink?: { href: string; text: string },
  ) {
    super(403, code, message);
    this.howToQualify = howToQualify;
    this.qualifyLink = qualifyLink;
  }
}
