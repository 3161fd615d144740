'use strict';
// osls loads plugins with require(); the plugin is TypeScript, compiled on the fly by tsx in its
// own namespace so nothing else in the framework's process is affected.
const { register } = require('tsx/cjs/api');

const tsx = register({ namespace: 'onnxless-plugin' });
module.exports = tsx.require('./OnnxlessPlugin.ts', __filename).default;
