import { STATUS_CODES } from 'node:http';

/**
 * MediaWiki REST error bodies (core Rest\ResponseFactory): every one has `httpCode` and
 * `httpReason`; a localized error adds `errorKey` and `messageTranslations`, a plain HttpException
 * `message`, a parameter failure `error: "parameter-validation-failed"` with the parameter.
 */
export class RestError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown>) {
    super(String(body.message ?? body.errorKey ?? body.error ?? 'error'));
    this.name = 'RestError';
    this.status = status;
    this.body = { ...body, httpCode: status, httpReason: STATUS_CODES[status] ?? 'Error' };
  }

  /** LocalizedHttpException with one of the extension's message keys. */
  static localized(status: number, errorKey: string, text: string): RestError {
    return new RestError(status, { errorKey, messageTranslations: { en: text } });
  }

  /**
   * A ConsumerSubmitControl failure: MediaWiki answers 400 with the control's error code as
   * `message`; the readable text is added in `messageTranslations`.
   */
  static control(code: string, text: string): RestError {
    return new RestError(400, { message: code, messageTranslations: { en: text } });
  }

  /** ParamValidator failures (`missingparam`, `badinteger`, `badbool`, `badvalue`). */
  static param(name: string, value: unknown, failureCode: string, text: string): RestError {
    return new RestError(400, { error: 'parameter-validation-failed', name, value: value ?? null, failureCode, failureData: null, messageTranslations: { en: text } });
  }
}
