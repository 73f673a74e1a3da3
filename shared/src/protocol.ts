// The wire protocol between server, widget and console, one file per namespace or area under
// protocol/. Types only: no runtime code beyond constants. Documented event by event in
// docs/protocol.md. Dates travel as ISO-8601 strings.
export * from './protocol/common.js';
export * from './protocol/widget.js';
export * from './protocol/agent.js';
export * from './protocol/console.js';
export * from './protocol/hotline.js';
export * from './protocol/supervision.js';
export * from './protocol/alerts.js';
export * from './protocol/voice.js';
