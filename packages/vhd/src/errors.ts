/**
 * Rackspace Cloud Images import error codes. The texts are verbatim from the API docs
 * (seed 001); callers show `message` to users and log `detail`.
 */
export const VHD_ERROR_MESSAGES = {
  111: '111: The image cannot be imported. There is an unspecified problem with your VHD that caused it to fail our validation checks.',
  396: '396: The image cannot be imported. The file is not a valid VHD.',
  413: '413: The image cannot be imported. The virtual size of the disk exceeds the 40GB limit.',
  523: '523: The image cannot be imported. Only fixed or dynamic disks may be imported.',
  609: '609: The image cannot be imported. The physical size of the disk exceeds the 40GB limit.',
  614: '614: The image cannot be imported. The internal UUID of the VHD is all zeros.',
  721: '721: The image cannot be imported. Your VHD has a parent disk. Only a stand-alone VHD may be imported.',
} as const;

export type VhdErrorCode = keyof typeof VHD_ERROR_MESSAGES;

export const VHD_ERROR_CODES: readonly VhdErrorCode[] = [111, 396, 413, 523, 609, 614, 721];

/** 40 GiB, inclusive. */
export const DEFAULT_MAX_VIRTUAL_SIZE = 42949672960;

/** The failure value every validation entry point returns (never thrown to callers of validate*). */
export interface VhdValidationFailure {
  ok: false;
  code: VhdErrorCode;
  message: string;
  detail: string;
}

/** Thrown inside the package and used to error streams; converts to a VhdValidationFailure. */
export class VhdValidationError extends Error {
  readonly code: VhdErrorCode;
  readonly detail: string;

  constructor(code: VhdErrorCode, detail: string) {
    super(VHD_ERROR_MESSAGES[code]);
    this.name = 'VhdValidationError';
    this.code = code;
    this.detail = detail;
  }

  toFailure(): VhdValidationFailure {
    return { ok: false, code: this.code, message: this.message, detail: this.detail };
  }
}

export function isVhdValidationError(error: unknown): error is VhdValidationError {
  return error instanceof VhdValidationError;
}
