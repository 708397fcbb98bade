// Lets the root tsconfig (plain tsc, no Svelte language service) type-check tests that import .svelte files.
declare module '*.svelte' {
  import type { Component } from 'svelte';
  const component: Component<Record<string, unknown>>;
  export default component;
}
