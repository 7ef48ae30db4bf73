import type { ProviderKind } from '../../../shared/src/api/providers.js';
import { fillVariables, scanVariables } from '../../../shared/src/prompts/variables.js';
import { badRequest } from '../errors.js';
import type { UsableConfig } from '../chat/sessions.js';

/** The prompt to send and what to store of how it was written. */
export interface FilledPrompt {
  prompt: string;
  /** The prompt as written, when it had variables to fill; else null. */
  template: string | null;
  variables: Record<string, string> | null;
}

/**
 * Fills the `{{name}}` variables of a prompt with `values`. Throws 400 `missing_variables`
 * naming every variable the prompt uses without a value. Values for names the prompt does not
 * use are kept with the comparison and change nothing.
 */
export function fillPrompt(text: string, values: Record<string, string> | undefined): FilledPrompt {
  const given = values ?? {};
  const used = [...new Set(scanVariables(text).map((use) => use.name))];
  const missing = used.filter((name) => !Object.hasOwn(given, name));
  if (missing.length > 0) {
    const list = missing.map((name) => `{{${name}}}`).join(', ');
    throw badRequest(
      'missing_variables',
      `The prompt uses ${list} but variables has no value for ${missing.length > 1 ? 'them' : 'it'}; ` +
        `add ${missing.map((name) => JSON.stringify(name)).join(', ')} to variables.`,
      { missing },
    );
  }
  const hasValues = Object.keys(given).length > 0;
  if (used.length === 0) {
    return { prompt: text, template: null, variables: hasValues ? given : null };
  }
  const prompt = fillVariables(text, (name) =>
    Object.hasOwn(given, name) ? given[name] : undefined,
  );
  return { prompt, template: text, variables: given };
}

/**
 * Provider kinds whose client sends images with a user turn.
 * NOTE: empty because ChatTurn carries text only; add a kind here once its client sends images.
 */
const IMAGE_INPUT_KINDS: ReadonlySet<ProviderKind> = new Set<ProviderKind>();

/**
 * Throws 400 `images_not_supported` when a request with images has slots whose model cannot take
 * them, naming each such slot and its config.
 */
export function assertSlotsTakeImages(imageCount: number, slots: readonly UsableConfig[]): void {
  if (imageCount === 0) {
    return;
  }
  const rejecting = slots.flatMap(({ config, provider }, slot) =>
    IMAGE_INPUT_KINDS.has(provider.kind)
      ? []
      : [
          {
            slot,
            name: `slots[${slot}] (${JSON.stringify(config.displayName)}, ${provider.kind})`,
          },
        ],
  );
  if (rejecting.length === 0) {
    return;
  }
  throw badRequest(
    'images_not_supported',
    `The model of ${rejecting.map((entry) => entry.name).join(', ')} cannot take images: this ` +
      'server sends text only to its providers so far. Remove images from the request and ' +
      'describe the image in the prompt instead.',
    { slots: rejecting.map((entry) => entry.slot) },
  );
}
