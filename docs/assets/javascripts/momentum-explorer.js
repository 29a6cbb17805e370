/* Momentum explorer: shows trajectories precomputed by lessons.momentum.explorer_data()
   (docs/assets/data/momentum-explorer.json). No optimizer runs here: the script only picks
   the path for the chosen (eta, mu, Nesterov) and draws it, with f(x_t) on a log scale. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var LEVELS = [0.02, 0.1, 0.5, 2.5, 12.5, 40]; // contour values of f

  function make(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

  function pathD(points) { // points: [[X, Y], ...] in pixels
    return points.map(function (p, i) {
      return (i ? "L" : "M") + p[0].toFixed(1) + " " + p[1].toFixed(1);
    }).join("");
  }

  function drawStatic(plane, curve, data) {
    var cx = 270, cy = 90, s = 60; // x1 in [-4.5, 1.5], x2 in [-1.5, 1.5], 60 px per unit
    LEVELS.forEach(function (c) {
      make("ellipse", {cx: cx, cy: cy, rx: s * Math.sqrt(2 * c / data.a),
        ry: s * Math.sqrt(2 * c / data.b), "class": "mx-contour"}, plane);
    });
    make("path", {d: "M266 90h8M270 86v8", "class": "mx-min"}, plane);
    make("path", {d: "M30 10V150H350", "class": "mx-axis"}, curve);
    [[2, 14, "10⁴"], [2, 61, "10⁰"], [2, 154, "10⁻⁸"]].forEach(function (t) {
      var label = make("text", {x: t[0], y: t[1], "class": "mx-tick"}, curve);
      label.textContent = t[2];
    });
    var tl = make("text", {x: 340, y: 168, "class": "mx-tick"}, curve);
    tl.textContent = "t";
  }

  function setup(root, data) {
    var lr = root.querySelector("input[name=lr]");
    var mu = root.querySelector("input[name=mu]");
    var nesterov = root.querySelector("input[name=nesterov]");
    var plane = root.querySelector("svg.mx-plane");
    var curve = root.querySelector("svg.mx-curve");
    drawStatic(plane, curve, data);
    var traj = make("path", {"class": "mx-traj"}, plane);
    var loss = make("path", {"class": "mx-loss"}, curve);
    var steps = data.paths[0][0][0].length / 2 - 1;

    function update() {
      var i = +lr.value, j = +mu.value, n = nesterov.checked ? 1 : 0;
      var flat = data.paths[n][i][j], xy = [], fs = [];
      for (var k = 0; k < flat.length; k += 2) {
        var x1 = flat[k], x2 = flat[k + 1];
        xy.push([clamp(270 + 60 * x1, -1e4, 1e4), clamp(90 - 60 * x2, -1e4, 1e4)]);
        var f = 0.5 * (data.a * x1 * x1 + data.b * x2 * x2);
        var lg = clamp(Math.log10(Math.max(f, 1e-300)), -8.5, 4.5);
        fs.push([30 + 320 * (k / 2) / steps, 10 + (4 - lg) * 140 / 12]);
      }
      traj.setAttribute("d", pathD(xy));
      loss.setAttribute("d", pathD(fs));
      [[lr, data.lrs[i], "η"], [mu, data.mus[j], "μ"]].forEach(function (c) {
        var out = root.querySelector("output[for=" + c[0].id + "]");
        if (out) out.textContent = String(c[1]);
        c[0].setAttribute("aria-valuetext", c[2] + " = " + c[1]);
      });
    }
    [lr, mu, nesterov].forEach(function (input) {
      input.addEventListener("input", update);
      input.addEventListener("change", update);
    });
    update();
    root.classList.add("mx-ready");
  }

  function load(root) {
    fetch(root.getAttribute("data-src"))
      .then(function (r) { return r.json(); })
      .then(function (data) { setup(root, data); })
      .catch(function (err) { root.setAttribute("data-error", String(err)); });
  }

  // Fetch and draw only when the explorer comes near the screen: it sits deep in a long
  // page, and a phone should not spend its first seconds on it.
  var near = "IntersectionObserver" in window && new IntersectionObserver(function (seen) {
    seen.forEach(function (entry) {
      if (entry.isIntersecting) { near.unobserve(entry.target); load(entry.target); }
    });
  }, {rootMargin: "400px 0px"});
  document.querySelectorAll(".momentum-explorer[data-src]").forEach(function (root) {
    if (near) { near.observe(root); } else { load(root); }
  });
})();
