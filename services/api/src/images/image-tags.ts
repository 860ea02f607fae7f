import { InvalidRequestError } from '../domain-errors.js';
import { IMAGE_LIMITS } from './image-limits.js';

/** A tag is a non-empty string of at most 255 characters (Glance's column width). */
export function checkTag(tag: unknown): string {
  if (typeof tag !== 'string' || tag.length === 0 || tag.length > IMAGE_LIMITS.tagLength) {
    throw new InvalidRequestError(`A tag must be a string of 1 to ${IMAGE_LIMITS.tagLength} characters.`);
  }
  return tag;
}
