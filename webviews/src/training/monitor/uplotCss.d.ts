// The uPlot stylesheet, imported as text (`with { type: 'text' }`) to adopt into a shadow root.
declare module 'uplot/dist/uPlot.min.css' {
  const stylesheet: string;
  export default stylesheet;
}
