// The project's style: single quotes, semicolons, trailing commas, long lines. The whole tree
// (.prettierignore leaves out build outputs, bench records and prose) is checked in .ci/run.
export default { singleQuote: true, printWidth: 140 };
