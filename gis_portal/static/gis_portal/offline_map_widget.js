/* Starts Django's MapWidget for every offline map widget on the page.
 * The options come from a JSON data block (no inline script, so a strict CSP holds) and the base
 * layer is a plain background: nothing is fetched from outside the machine. */
(function () {
  'use strict';
  function start() {
    document.querySelectorAll('[data-map-widget]').forEach(function (wrapper) {
      if (wrapper.dataset.started) { return; }
      var data = document.getElementById(wrapper.dataset.mapWidget);
      if (!data) { return; }
      var options = JSON.parse(data.textContent);
      options.base_layer = new ol.layer.Vector({source: new ol.source.Vector(), background: '#eef2e6'});
      wrapper.dataset.started = '1';
      window[options.module] = new MapWidget(options);
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
