import { encodeAllocationMap } from './allocation-map.js';
import { VHD_EPOCH_OFFSET_SECONDS } from './constants.js';
import { type ConvertSource, type ConvertTarget, convertFile } from './convert.js';
import { DEFAULT_MAX_VIRTUAL_SIZE } from './errors.js';
import { openFileRangeReader, validateVhdFile } from './file-source.js';
import { inspectVhdMetadata, type VhdMetadata } from './inspect-metadata.js';

export const CLI_USAGE = `usage:
  vhd validate FILE [--max-virtual BYTES]
  vhd info FILE
  vhd convert IN OUT --to raw|dynamic|fixed [--from auto|vhd|raw]`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

class UsageError extends Error {}

/** Runs the CLI; returns the exit code (0 valid/ok, 1 invalid image, 2 usage error). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { positional, flags } = parseArgs(argv);
    const [command, ...args] = positional;
    switch (command) {
      case 'validate':
        return await validateCommand(args, flags, io);
      case 'info':
        return await infoCommand(args, flags, io);
      case 'convert':
        return await convertCommand(args, flags, io);
      default:
        throw new UsageError(command ? `unknown command ${command}` : 'missing command');
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`vhd: ${error.message}\n${CLI_USAGE}\n`);
    return 2;
  }
}

function parseArgs(argv: readonly string[]) {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return { positional, flags };
}

function expectArgs(args: string[], flags: Map<string, string>, count: number, allowed: string[]): void {
  if (args.length !== count) throw new UsageError(`expected ${count} file argument(s), got ${args.length}`);
  for (const name of flags.keys())
    if (!allowed.includes(name)) throw new UsageError(`unknown option --${name}`);
}

function print(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value)}\n`);
}

async function validateCommand(args: string[], flags: Map<string, string>, io: CliIo): Promise<number> {
  expectArgs(args, flags, 1, ['max-virtual']);
  const raw = flags.get('max-virtual');
  const maxVirtualSize = raw === undefined ? DEFAULT_MAX_VIRTUAL_SIZE : Number(raw);
  if (raw !== undefined && (!/^\d+$/.test(raw) || !Number.isSafeInteger(maxVirtualSize))) {
    throw new UsageError(`--max-virtual must be a byte count, got ${raw}`);
  }
  const result = await validateVhdFile(args[0]!, { maxVirtualSize });
  if (!result.ok) {
    print(io, result);
    return 1;
  }
  const { allocationMap, ...facts } = result;
  print(io, { ...facts, allocationMap: encodeAllocationMap(allocationMap) });
  return 0;
}

async function infoCommand(args: string[], flags: Map<string, string>, io: CliIo): Promise<number> {
  expectArgs(args, flags, 1, []);
  const source = await openFileRangeReader(args[0]!);
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

async function convertCommand(args: string[], flags: Map<string, string>, io: CliIo): Promise<number> {
  expectArgs(args, flags, 2, ['to', 'from']);
  const to = flags.get('to');
  if (to !== 'raw' && to !== 'dynamic' && to !== 'fixed')
    throw new UsageError('--to must be raw, dynamic or fixed');
  const from = flags.get('from') ?? 'auto';
  if (from !== 'auto' && from !== 'vhd' && from !== 'raw')
    throw new UsageError('--from must be auto, vhd or raw');
  const result = await convertFile(args[0]!, args[1]!, to as ConvertTarget, from as ConvertSource);
  print(io, result);
  return result.ok ? 0 : 1;
}
