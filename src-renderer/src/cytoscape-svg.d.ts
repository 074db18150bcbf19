declare module 'cytoscape-svg' {
  import type cytoscape from 'cytoscape';
  /** Registers `cy.svg(options)` on Cytoscape cores. */
  const extension: cytoscape.Ext;
  export default extension;
}
