import { el } from '../shared/page';

/** A drop zone with a file picker inside: either way, `onFile` gets the file. */
export function fileInput(types: readonly string[], kind: string, text: string, onFile: (file: File) => Promise<void>): HTMLElement {
  const input = el('input', { type: 'file', accept: types.join(','), 'data-input': kind });
  const zone = el('label', { class: 'drop' }, el('span', {}, text, el('small', {}, ` (${types.join(', ')})`)), input);
  const take = (file: File | undefined) => {
    if (file) void onFile(file);
  };
  input.addEventListener('change', () => take(input.files?.[0]));
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    take(e.dataTransfer?.files[0]);
  });
  return zone;
}
