/**
 * Renders an Adaptive Card with Microsoft's `adaptivecards` package, as RingCentral's client does:
 * its own input validation (isRequired, regex, errorMessage) runs before a submit, and a submit
 * sends `Action.Submit.data` merged with the input values.
 */
import { AdaptiveCard, HostConfig, SubmitAction, type Action } from 'adaptivecards';
import { hostConfigJson } from './host-config.js';
import { markdownToHtml } from './markdown.js';

const hostConfig = new HostConfig(hostConfigJson);

AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = markdownToHtml(text);
  result.didProcess = true;
};

/** Options of {@link renderCard}. */
export interface RenderCardOptions {
  /** Called with the submit's data (inputs merged in) once the card's validation passed. */
  onSubmit?: (data: Record<string, unknown>, action: Action) => void;
  /** For text the card cannot show (a parse error). */
  onError?: (message: string) => void;
}

/**
 * The card as a DOM element (or a plain note when it cannot be rendered).
 * @example posts.append(renderCard(card.body, { onSubmit: (data) => send(card.id, data) }))
 */
export function renderCard(body: unknown, { onSubmit, onError }: RenderCardOptions = {}): HTMLElement {
  const card = new AdaptiveCard();
  card.hostConfig = hostConfig;
  card.onExecuteAction = (action) => {
    if (!(action instanceof SubmitAction) || !onSubmit) return;
    // The package leaves an input out when it is empty; RingCentral sends every input, empty ones as "".
    const data: Record<string, unknown> = {};
    for (const id of Object.keys(action.getReferencedInputs() ?? {})) data[id] = '';
    Object.assign(data, action.data as Record<string, unknown>);
    onSubmit(data, action);
  };
  try {
    card.parse(body);
    const element = card.render();
    if (element) {
      element.classList.add('card');
      // The package makes the card itself a tab stop with no name; its controls are the stops.
      element.removeAttribute('tabindex');
      return element;
    }
  } catch (err) {
    onError?.((err as Error).message);
  }
  const note = document.createElement('p');
  note.className = 'card-error';
  note.textContent = 'This card cannot be shown.';
  return note;
}
