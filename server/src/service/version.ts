/** The version of einsight this server is, from its package manifest (inlined by the bundler). */
export const SERVER_VERSION: string = (require('../../package.json') as { version: string }).version;
