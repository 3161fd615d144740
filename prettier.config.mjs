// The project's existing style: single quotes, semicolons, trailing commas, long lines.
// Checked on the files listed in package.json's format:check; the rest of the tree is not
// reformatted in one sweep (see README, Notes).
export default { singleQuote: true, printWidth: 140 };
