export {
  syncConfigSchema,
  schemaLeaves,
  isValidBucketName,
  ConfigError,
  formatIssue,
  OPERATION_MODES,
  ENGINES,
  SYNC_MODES,
  STORAGE_CLASSES,
  type SyncConfig,
  type SyncConfigInput,
  type ConfigPath,
  type ConfigIssue,
  type SchemaLeaf,
  type LeafKind,
} from './schema.js';
export { PRESET_NAMES, PRESETS, isPresetName, type PresetName } from './presets.js';
export {
  FLAGS,
  URL_FLAGS,
  envName,
  parseS3Url,
  argvToPartial,
  envToPartial,
  yargsOptions,
  type FlagDef,
  type FlagType,
  type UrlFlagDef,
  type ConfigLayer,
} from './flags.js';
export { loadConfig, settingSource, type LoadInput, type LoadedConfig, type LayerName } from './load.js';
export { MARKETS, FREQUENCIES, DATA_TYPES, KLINE_TYPES, intervalsOf, isKlineType, pairOf, type Market, type Frequency } from './binance-layout.js';
export { compileSelection, parseKeyDate, parseBinanceKey, type CompiledSelection, type BinanceKeyParts } from './selection.js';
