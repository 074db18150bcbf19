// better-sqlite3-multiple-ciphers is better-sqlite3 built with SQLite3MultipleCiphers: the same API, whose typings
// its package.json "exports" hides from TypeScript. The @types/better-sqlite3 declarations describe it.
declare module 'better-sqlite3-multiple-ciphers' {
  import Database from 'better-sqlite3';
  export = Database;
}
