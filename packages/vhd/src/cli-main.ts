import { encodeAllocationMap } from './allocation-map.js';
import { CLI_USAGE, parseVhdArgs, UsageError } from './cli-args.js';
import { VHD_EPOCH_OFFSET_SECONDS } from './constants.js';
import { type ConvertSource, type ConvertTarget, convertFile } from './convert.js';
import { openFileRangeReader, validateVhdFile } from './file-source.js';
import { inspectVhdMetadata, type VhdMetadata } from './inspect-metadata.js';

export { CLI_USAGE } from './cli-args.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Runs the CLI; returns the exit code (0 valid/ok or --help, 1 invalid image, 2 usage error). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseVhdArgs>;
  try {
    parsed = parseVhdArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`vhd: ${error.message}\n${CLI_USAGE}\n`);
    return 2;
  }
  switch (parsed.command) {
    case 'help':
      io.stdout(`${CLI_USAGE}\n`);
      return 0;
    case 'validate':
      return validateCommand(parsed.file, parsed.maxVirtualSize, io);
    case 'info':
      return infoCommand(parsed.file, io);
    case 'convert':
      return convertCommand(parsed, io);
  }
}

function print(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value)}\n`);
}

async function validateCommand(file: string, maxVirtualSize: number, io: CliIo): Promise<number> {
  const result = await validateVhdFile(file, { maxVirtualSize });
  if (!result.ok) {
    print(io, result);
    return 1;
  }
  const { allocationMap, ...facts } = result;
  print(io, { ...facts, allocationMap: encodeAllocationMap(allocationMap) });
  return 0;
}

async function infoCommand(file: string, io: CliIo): Promise<number> {
  const source = await openFileRangeReader(file);
  try {
    const result = await inspectVhdMetadata({ ...source, maxVirtualSize: Number.POSITIVE_INFINITY });
    if (!result.ok) {
      print(io, result);
      return 1;
    }
    print(io, describe(result.metadata));
    return 0;
  } finally {
    await source.close();
  }
}

function describe(m: VhdMetadata) {
  const f = m.footer;
  const layout = m.dynamic;
  return {
    ok: true,
    diskType: m.diskType,
    virtualSize: m.virtualSize,
    physicalSize: m.size,
    uniqueId: m.uniqueId,
    creatorApp: f.creatorApp,
    creatorHostOs: f.creatorHostOs,
    created: new Date((f.timestamp + VHD_EPOCH_OFFSET_SECONDS) * 1000).toISOString(),
    geometry: f.geometry,
    footerLength: m.footerBytes.length,
    blockSize: layout?.blockSize ?? null,
    maxTableEntries: layout?.maxTableEntries ?? null,
    allocatedBlocks: layout?.blocksInFileOrder.length ?? null,
  };
}

async function convertCommand(
  args: { input: string; output: string; to: ConvertTarget; from: ConvertSource },
  io: CliIo,
): Promise<number> {
  const result = await convertFile(args.input, args.output, args.to, args.from);
  print(io, result);
  return result.ok ? 0 : 1;
}
