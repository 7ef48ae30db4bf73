import './admin-app.js';

// Page-level styles use a constructed style sheet, as Lit does for the elements, so the page
// needs no <style> element or style attribute.
const pageStyles = new CSSStyleSheet();
pageStyles.replaceSync(`
  :root { color-scheme: light dark; }
  body { margin: 0; }
`);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, pageStyles];
