// The groups of a region on a Leaflet map. Without tiles the markers still
// show where the groups are; without JavaScript the page lists them.
(function () {
  "use strict";
  var element = document.getElementById("peta");
  var data = document.getElementById("kim-points");
  if (!element || !data || !window.L) { return; }
  var points = JSON.parse(data.textContent);
  var map = L.map(element, { scrollWheelZoom: false });
  if (element.dataset.tiles) {
    L.tileLayer(element.dataset.tiles, { maxZoom: 18, attribution: element.dataset.attribution || "" }).addTo(map);
  }
  var bounds = [];
  points.forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lon], {
      radius: 7, weight: 2, color: p.status === "active" ? "#1d6b2f" : "#7a4d00",
      fillColor: p.status === "active" ? "#3fa35a" : "#f0b400", fillOpacity: 0.9
    }).addTo(map);
    var link = document.createElement("a");
    link.href = "/kim/" + encodeURIComponent(p.id);
    link.textContent = p.name;
    marker.bindPopup(link);
    // Leaflet takes a string as HTML: the name goes in as text
    var label = document.createElement("span");
    label.textContent = p.name;
    marker.bindTooltip(label);
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length === 1) { map.setView(bounds[0], 13); } else { map.fitBounds(bounds, { padding: [20, 20] }); }
})();
