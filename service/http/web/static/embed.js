// Tell the page that frames this card how tall the card is, so that the oEmbed snippet's listener can fit
// the iframe to it. The message carries only a height; the card works without it.
(function () {
  "use strict";
  if (window.parent === window) {
    return;
  }
  var sent = 0;
  function post() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== sent) {
      sent = height;
      window.parent.postMessage({ type: "claimledger:embed-height", height: height }, "*");
    }
  }
  if ("ResizeObserver" in window) {
    new ResizeObserver(post).observe(document.documentElement);
  }
  window.addEventListener("load", post);
  post();
})();
