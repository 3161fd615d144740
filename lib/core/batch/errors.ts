import { BadRequestError } from '../errors';

/** A batch job or event that cannot run as given: bad prefixes, an event of the wrong shape. */
export class BatchInputError extends BadRequestError {}

/** A bucket or prefix that is not there: named, so the user knows which. */
export class BatchSourceMissingError extends BatchInputError {}
