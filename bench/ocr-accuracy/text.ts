/**
 * Seeded text for the evaluation pages: ordinary English words, names, prices, dates and codes,
 * the mix a phone photo of a letter, a receipt or a sign holds. Every character is printable
 * ASCII, all of which PP-OCRv4's dictionary (ppocr_keys_v1.txt, plus the space) can spell.
 */

import { Rng } from '../../lib/tools/train/Rng';

/** A seeded generator (the training tools' mulberry32, Rng), so a seed gives the same pages on every run. */
export type Random = () => number;

export function seeded(seed: number): Random {
  const rng = new Rng(seed);
  return () => rng.next();
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

export function between(random: Random, low: number, high: number): number {
  return low + random() * (high - low);
}

export function intBetween(random: Random, low: number, high: number): number {
  return Math.floor(between(random, low, high + 1));
}

const WORDS = (
  'the of and to in is for on with as at by from this that be are was will can not all your our ' +
  'order delivery account payment invoice receipt total amount balance customer service office ' +
  'morning evening weekend meeting schedule report project budget quarter annual monthly weekly ' +
  'please return within days before after during between about around under over near next last ' +
  'river stone market yellow window garden silver planet coffee orange bridge winter forest ' +
  'simple travel letter summer castle harbour village station library museum theatre kitchen ' +
  'table chair paper pencil bottle basket ticket parcel package address street avenue square ' +
  'north south east west city county region country island mountain valley coast beach ' +
  'fresh bread butter cheese apple lemon honey sugar flour salt pepper olive tomato onion ' +
  'green blue red black white brown grey purple golden bright quiet heavy light small large ' +
  'open closed early late fast slow warm cold dry wet new old young modern classic local ' +
  'friendly careful important special general public private final first second third ' +
  'read write print send receive check confirm cancel change update repair replace clean ' +
  'room floor door gate wall roof garage parking entrance exit stairs lift hall corridor ' +
  'water power heating cooling energy signal network phone email online website support ' +
  'thank you for shopping with us have a nice day see again soon welcome notice warning ' +
  'history science music painting garden walk lunch dinner breakfast visit guest member'
).split(' ');

const NAMES = [
  'Anna',
  'Peter',
  'Maria',
  'James',
  'Olivia',
  'Lucas',
  'Sofia',
  'Daniel',
  'Emma',
  'Hugo',
  'Clara',
  'Oscar',
  'Nora',
  'Felix',
  'Ruth',
  'Victor',
];
const SURNAMES = ['Miller', 'Schmidt', 'Dubois', 'Novak', 'Rossi', 'Jensen', 'Garcia', 'Kowalski', 'Berg', 'Walsh', 'Okafor', 'Laine'];
const STREETS = ['Oak Street', 'Mill Lane', 'King Road', 'Harbour View', 'Station Square', 'Elm Avenue', 'Church Walk', 'Bridge Street'];
const TOWNS = ['Bristol', 'Lyon', 'Gdansk', 'Porto', 'Aarhus', 'Graz', 'Utrecht', 'Turin', 'Leeds', 'Bergen'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ITEMS = [
  'Whole milk 1L',
  'Rye bread',
  'Free range eggs',
  'Cheddar 200g',
  'Bananas',
  'Green tea',
  'Olive oil 500ml',
  'Pasta fusilli',
  'Tomato sauce',
  'Dark chocolate',
  'Orange juice',
  'Paper towels',
  'Dish soap',
  'Coffee beans',
  'Yoghurt plain',
  'Apples 1kg',
  'Rice 2kg',
  'Mineral water',
  'Butter',
  'Honey jar',
];

export function word(random: Random): string {
  return pick(random, WORDS);
}

export function name(random: Random): string {
  return `${pick(random, NAMES)} ${pick(random, SURNAMES)}`;
}

export function street(random: Random): string {
  return `${intBetween(random, 1, 240)} ${pick(random, STREETS)}`;
}

export function town(random: Random): string {
  return `${intBetween(random, 1000, 99999)} ${pick(random, TOWNS)}`;
}

export function item(random: Random): string {
  return pick(random, ITEMS);
}

export function price(random: Random, max = 60): string {
  return (Math.round(between(random, 0.3, max) * 100) / 100).toFixed(2);
}

export function date(random: Random): string {
  const day = String(intBetween(random, 1, 28)).padStart(2, '0');
  return random() < 0.5
    ? `${day} ${pick(random, MONTHS)} ${intBetween(random, 2019, 2026)}`
    : `${day}/${String(intBetween(random, 1, 12)).padStart(2, '0')}/${intBetween(random, 2019, 2026)}`;
}

export function time(random: Random): string {
  return `${String(intBetween(random, 7, 22)).padStart(2, '0')}:${String(intBetween(random, 0, 59)).padStart(2, '0')}`;
}

/** An order, invoice or reference code: letters, digits and a dash or slash. */
export function code(random: Random): string {
  const letters = 'ABCDEFGHJKLMNPRSTUVWXYZ';
  const prefix = Array.from({ length: intBetween(random, 2, 3) }, () => pick(random, [...letters])).join('');
  return `${prefix}${pick(random, ['-', '/', ''])}${intBetween(random, 1000, 999999)}`;
}

/**
 * A sentence of ordinary words and now and then a number, a name or a code, with its capital and
 * full stop, between `min` and `max` characters long (one word may end it past `max` by a little,
 * never past `max + 12`).
 */
export function sentence(random: Random, min: number, max: number): string {
  const parts: string[] = [];
  let length = 0;
  while (length < min) {
    const roll = random();
    let part: string;
    if (roll < 0.06) part = String(intBetween(random, 2, 480));
    else if (roll < 0.09) part = name(random);
    else if (roll < 0.11) part = code(random);
    else if (roll < 0.14) part = `${word(random)},`;
    else if (roll < 0.15) part = `(${word(random)})`;
    else part = word(random);
    if (length + part.length + 1 > max + 12 && parts.length > 0) break;
    parts.push(part);
    length += part.length + 1;
  }
  const text = parts.join(' ').replace(/,$/, '');
  const end = pick(random, ['.', '.', '.', '.', '!', '?', ':', ';']);
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${end}`;
}

/** A few capitalised words: a heading or a sign. */
export function title(random: Random, words: number): string {
  return Array.from({ length: words }, () => {
    const w = word(random);
    return `${w.charAt(0).toUpperCase()}${w.slice(1)}`;
  }).join(' ');
}
