/**
 * Adaptive Cards host config close to RingCentral's desktop and web client: Lato, 14 px body text,
 * RingCentral blue for accents, buttons side by side and wrapping, text wrapped.
 */
const font = "Lato, 'Helvetica Neue', Helvetica, Arial, sans-serif";
const sizes = { small: 12, default: 14, medium: 16, large: 18, extraLarge: 22 };
const weights = { lighter: 300, default: 400, bolder: 700 };

const foreground = {
  default: { default: '#212121', subtle: '#5f6368' },
  dark: { default: '#212121', subtle: '#5f6368' },
  light: { default: '#ffffff', subtle: '#eeeeee' },
  accent: { default: '#066fac', subtle: '#0a5f8f' },
  good: { default: '#1e6b2a', subtle: '#2e7d32' },
  warning: { default: '#7a4a00', subtle: '#8a5300' },
  attention: { default: '#b3261e', subtle: '#c62828' },
};
const style = (backgroundColor: string) => ({ backgroundColor, foregroundColors: foreground });

export const hostConfigJson = {
  fontFamily: font,
  supportsInteractivity: true,
  spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 28, padding: 12 },
  separator: { lineThickness: 1, lineColor: '#e0e0e0' },
  fontTypes: {
    default: { fontFamily: font, fontSizes: sizes, fontWeights: weights },
    monospace: { fontFamily: "'Roboto Mono', Menlo, Consolas, 'Liberation Mono', monospace", fontSizes: sizes, fontWeights: weights },
  },
  containerStyles: {
    default: style('#ffffff'),
    emphasis: style('#f3f4f6'),
    accent: style('#e6f1f8'),
    good: style('#e8f5e9'),
    attention: style('#fdecea'),
    warning: style('#fff4e0'),
  },
  actions: {
    maxActions: 6,
    spacing: 'default',
    buttonSpacing: 8,
    actionsOrientation: 'horizontal',
    actionAlignment: 'left',
    allowTitleToWrap: true,
    showCard: { actionMode: 'inline', inlineTopMargin: 12 },
  },
  adaptiveCard: { allowCustomStyle: true },
  imageSizes: { small: 40, medium: 80, large: 160 },
  factSet: {
    title: { weight: 'bolder', wrap: true, maxWidth: 150 },
    value: { wrap: true },
    spacing: 8,
  },
  inputs: {
    label: {
      inputSpacing: 'small',
      requiredInputs: { weight: 'bolder', suffix: ' *', suffixColor: 'attention' },
      optionalInputs: { weight: 'bolder' },
    },
    errorMessage: { size: 'small', color: 'attention' },
  },
};
