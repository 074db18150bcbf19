/**
 * What a .vue module is, for tools that do not read .vue files themselves: the type-checked lint (typescript-eslint)
 * sees `import App from './App.vue'` in main.ts through this. vue-tsc and Vite resolve the real component instead.
 */
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
