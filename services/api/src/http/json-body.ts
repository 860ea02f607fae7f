import express, { type RequestHandler } from 'express';
import { BadRequest, PayloadTooLarge, UnsupportedMediaType } from './errors.js';

/** The error types body-parser raises, translated to the API's typed errors. */
function translateBodyParserError(error: { type?: string; message?: string }, limit: number): Error {
  switch (error.type) {
    case 'entity.too.large':
      return new PayloadTooLarge(`The request body exceeds the limit of ${limit} bytes.`);
    case 'entity.parse.failed':
      return new BadRequest(`The request body is not valid JSON: ${error.message ?? 'parse error'}`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaType(`Unsupported body encoding: ${error.message ?? ''}`.trim());
    default:
      return new BadRequest(`The request body could not be read: ${error.message ?? 'unknown error'}`);
  }
}

/**
 * Requires a Content-Type among `mediaTypes` (415 otherwise), then parses at most `limit` bytes (413 beyond).
 * Non-object JSON (`[]`, `"x"`, `3`) is parsed and left to the input schema, which names the problem.
 */
export function jsonBody(
  limit: number,
  mediaTypes: readonly string[] = ['application/json'],
): RequestHandler {
  const parse = express.json({ limit, strict: false, type: () => true });
  const expected = mediaTypes.join(' or ');
  return (req, res, next) => {
    if (!req.is([...mediaTypes])) {
      const given = req.headers['content-type'];
      next(
        new UnsupportedMediaType(
          given
            ? `Content-Type '${given}' is not supported; use ${expected}.`
            : `The request has no Content-Type; use ${expected}.`,
        ),
      );
      return;
    }
    if (req.headers['content-length'] === '0') {
      next(new BadRequest('The request body is empty; expected a JSON object.'));
      return;
    }
    parse(req, res, (error?: unknown) => {
      if (error) next(translateBodyParserError(error as { type?: string }, limit));
      else next();
    });
  };
}
