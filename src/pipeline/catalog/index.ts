// The catalogue stage: which items are not products (service lines: postage, fees, adjustments),
// detected from the log and corrected by the user, so profiles and recommendations leave them out.

export { detectServiceItems, type ServiceDetection, type ServiceEvidence, type ServiceItem, type ServiceItemOptions, type ServiceSignal } from './serviceItems';
export {
  checkServiceSettings,
  DEFAULT_SERVICE_SETTINGS,
  MAX_SERVICE_OVERRIDES,
  resolveServiceItems,
  ServiceSettingsError,
  withServiceChoice,
  type ServiceLineEntry,
  type ServiceMode,
  type ServiceResolution,
  type ServiceSettings,
} from './serviceSettings';
export { serviceIdWord, serviceTitleWord } from './serviceWords';
