import { el } from '../shared/page';
import type { ApiAuth } from '../shared/signing';
import { fileInput } from './fileInput';
import type { PlaygroundModel } from './models';
import { isRecord, resultView } from './resultView';
import { send } from './send';
import { recordWav } from './wav';

interface Segment {
  start: number;
  end: number;
}

/** An audio model's page: a WAV file or a recording in, the waveform with its speech segments shaded, each one playable. */
export function audioPage(model: PlaygroundModel, api: { base: string; auth: ApiAuth }): HTMLElement {
  const types = model.accepts.filter((t) => t.startsWith('audio/'));
  const wavType = types.find((t) => t.includes('wav')) ?? (types[0] as string);
  const request = el('div', { class: 'request' });
  const output = el('div', { class: 'output' });
  const run = async (file: Blob, name: string) => {
    const [samples, sent] = await Promise.all([
      decodeForDrawing(file),
      send({ url: `${api.base}${model.path}`, contentType: wavType, body: file, fileName: name }, api.auth, request),
    ]);
    const segments = segmentsOf(sent.result);
    const duration = isRecord(sent.result) && typeof sent.result.duration === 'number' ? sent.result.duration : (samples?.duration ?? 0);
    const player = el('audio', { controls: true, src: URL.createObjectURL(file) });
    output.replaceChildren(
      ...(samples ? [waveform(samples.peaks, duration, segments)] : []),
      player,
      segmentList(segments, player),
      resultView(sent.result, model.resultSchema),
    );
  };
  const record = el('button', { type: 'button', class: 'record' }, 'Record 5 s from the microphone');
  record.addEventListener('click', () => {
    record.disabled = true;
    record.textContent = 'recording...';
    recordWav(5)
      .then((wav) => run(wav, 'recording.wav'))
      .catch((err: unknown) =>
        request.replaceChildren(el('p', { class: 'error' }, `cannot record: ${err instanceof Error ? err.message : String(err)}`)),
      )
      .finally(() => {
        record.disabled = false;
        record.textContent = 'Record 5 s from the microphone';
      });
  });
  return el(
    'div',
    { class: 'model-page' },
    fileInput(types, 'audio', 'Drop a WAV file here, or pick one', (file) => run(file, file.name)),
    navigator.mediaDevices ? record : '',
    request,
    output,
  );
}

function segmentsOf(result: unknown): Segment[] {
  if (!isRecord(result) || !Array.isArray(result.segments)) return [];
  return result.segments.filter((s): s is Segment => isRecord(s) && typeof s.start === 'number' && typeof s.end === 'number');
}

/** Min and max per pixel column of the clip, for drawing; undefined when the browser cannot decode it. */
async function decodeForDrawing(file: Blob, columns = 800): Promise<{ peaks: Array<[number, number]>; duration: number } | undefined> {
  try {
    const audio = await new OfflineAudioContext(1, 1, 16_000).decodeAudioData(await file.arrayBuffer());
    const data = audio.getChannelData(0);
    const per = Math.max(1, Math.floor(data.length / columns));
    const peaks: Array<[number, number]> = [];
    for (let i = 0; i < data.length; i += per) {
      let lo = 0;
      let hi = 0;
      for (let j = i; j < Math.min(data.length, i + per); j++) {
        const v = data[j] as number;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      peaks.push([lo, hi]);
    }
    return { peaks, duration: audio.duration };
  } catch {
    return undefined;
  }
}

function waveform(peaks: Array<[number, number]>, duration: number, segments: readonly Segment[]): HTMLCanvasElement {
  const width = Math.max(1, peaks.length);
  const height = 160;
  const canvas = el('canvas', { width, height, class: 'waveform', 'data-drawn': '' });
  const g = canvas.getContext('2d');
  if (!g) return canvas;
  g.fillStyle = '#f4f6f8';
  g.fillRect(0, 0, width, height);
  g.fillStyle = 'rgba(46, 160, 67, 0.35)';
  for (const s of segments) {
    const x0 = duration > 0 ? (s.start / duration) * width : 0;
    const x1 = duration > 0 ? (s.end / duration) * width : 0;
    g.fillRect(x0, 0, Math.max(1, x1 - x0), height);
  }
  g.strokeStyle = '#1d2733';
  g.beginPath();
  peaks.forEach(([lo, hi], x) => {
    g.moveTo(x + 0.5, ((1 - hi) / 2) * height);
    g.lineTo(x + 0.5, ((1 - lo) / 2) * height + 1);
  });
  g.stroke();
  return canvas;
}

function segmentList(segments: readonly Segment[], player: HTMLAudioElement): HTMLElement {
  if (segments.length === 0) return el('p', { 'data-segments': '0' }, 'No speech found.');
  let stopAt = Infinity;
  player.addEventListener('timeupdate', () => {
    if (player.currentTime >= stopAt) {
      player.pause();
      stopAt = Infinity;
    }
  });
  const items = segments.map((s, i) => {
    const play = el('button', { type: 'button' }, 'play');
    play.addEventListener('click', () => {
      stopAt = s.end;
      player.currentTime = s.start;
      void player.play();
    });
    return el('li', { 'data-segment': i }, el('span', { class: 'times' }, `${s.start.toFixed(3)} s to ${s.end.toFixed(3)} s`), ' ', play);
  });
  return el(
    'div',
    { class: 'segments' },
    el('h4', {}, `${segments.length} speech segment${segments.length === 1 ? '' : 's'}`),
    el('ol', { 'data-segments': segments.length }, ...items),
  );
}
