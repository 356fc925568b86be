// Draws every figure on the page: each <div data-figure="ID"> gets the JSON in <script id="ID">.
// The figure JSON comes from catalog/charts.py; strings in it were escaped on the server.
// plotly.js (this script's data-plotly: the smallest partial bundle for the page, catalog/plotly_bundles.py)
// is fetched only once a reader needs it. A chart with a poster (a still drawing made on the server,
// catalog/chart_posters.py) keeps it until the reader reaches for it: hovers over or touches it, or presses its
// "Interactive chart" button. A chart without one draws after the page has loaded, once it is about to come
// into view. Either way a reader sees and can use the page before half a megabyte of script is parsed.
(function () {
  "use strict";
  var BUNDLE = document.currentScript.dataset.plotly;
  // The layout template every figure shares (plotly_template.js), sent once instead of in each figure.
  var TEMPLATE = window.LandscapePlotlyTemplate || {};
  // plotly.js carries English only: Korean pages register the toolbar's words and the month names
  // used on date axes (after plotly.js's own ko locale).
  var KOREAN = {
    moduleType: "locale",
    name: "ko",
    dictionary: {
      "Autoscale": "자동 맞춤",
      "Box Select": "박스 선택",
      "Compare data on hover": "마우스를 올려 데이터 비교",
      "Double-click to zoom back out": "더블클릭하면 원래 크기로",
      "Download plot": "그림 저장",
      "Download plot as a PNG": "PNG로 저장",
      "Image download succeeded": "이미지를 저장했습니다",
      "Preparing image - this may take a few seconds": "이미지를 준비하는 중입니다. 잠시 기다려 주세요",
      "Sorry, there was a problem downloading your image!": "이미지를 저장하지 못했습니다.",
      "Lasso Select": "올가미 선택",
      "Pan": "이동",
      "Produced with Plotly.js": "Plotly.js로 생성",
      "Reset axes": "축 초기화",
      "Reset": "초기화",
      "Reset view": "보기 초기화",
      "Toggle show closest data on hover": "가장 가까운 데이터 보기 켜기/끄기",
      "Show closest data on hover": "가장 가까운 데이터 보기",
      "Toggle Spike Lines": "스파이크 선 켜기/끄기",
      "Zoom": "확대/축소",
      "Zoom in": "확대",
      "Zoom out": "축소"
    },
    format: {
      days: ["일요일", "월요일", "화요일", "수요일", "목요일", "금요일", "토요일"],
      shortDays: ["일", "월", "화", "수", "목", "금", "토"],
      months: ["1월", "2월", "3월", "4월", "5월", "6월", "7월", "8월", "9월", "10월", "11월", "12월"],
      shortMonths: ["1월", "2월", "3월", "4월", "5월", "6월", "7월", "8월", "9월", "10월", "11월", "12월"],
      date: "%Y-%m-%d"
    }
  };
  var language = document.documentElement.lang || "en";
  var plotlyLoaded = null;
  function loadPlotly() {
    if (!plotlyLoaded) {
      plotlyLoaded = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = BUNDLE;
        script.onload = function () {
          if (language === "ko") { window.Plotly.register(KOREAN); }
          resolve(window.Plotly);
        };
        script.onerror = function () { reject(new Error("could not load " + BUNDLE)); };
        document.head.appendChild(script);
      });
    }
    return plotlyLoaded;
  }
  // No "share to Plotly's cloud" button: the site works offline and sends nothing elsewhere.
  var config = {
    responsive: true, displaylogo: false, modeBarButtonsToRemove: ["sendDataToCloud", "sendChartToCloud"], locale: language
  };
  // On a phone the legend goes below the plot, in rows, so it never covers the lines or the tick labels;
  // on a wide screen each figure's own legend (right of the plot) comes back. Re-checked on resize.
  var NARROW = 640;
  var BELOW = {
    "legend.orientation": "h", "legend.x": 0, "legend.xanchor": "left",
    "legend.y": 0, "legend.yanchor": "bottom", "legend.yref": "container", "legend.xref": "container"
  };
  function legendFor(element, narrow) {
    if (narrow) { return BELOW; }
    var legend = element._wideLegend || {};
    return {
      "legend.orientation": legend.orientation || "v", "legend.x": legend.x === undefined ? 1.02 : legend.x,
      "legend.xanchor": legend.xanchor || "left", "legend.y": legend.y === undefined ? 1 : legend.y,
      "legend.yanchor": legend.yanchor || "top", "legend.yref": legend.yref || "paper",
      "legend.xref": legend.xref || "paper"
    };
  }
  function isNarrow() { return window.innerWidth < NARROW; }
  // Horizontal bars name their category on the y axis; on a phone those names would take most of the width,
  // so each bar carries its own name instead (inside it, or beside a short one) and the axis labels go.
  function isHorizontalBars(data) {
    return data.length > 0 && data.every(function (trace) { return trace.type === "bar" && trace.orientation === "h"; });
  }
  function dataFor(data, narrow) {
    if (!narrow || !isHorizontalBars(data)) { return data; }
    return data.map(function (trace) {
      return Object.assign({}, trace, {
        text: trace.y, textposition: "auto", insidetextanchor: "start", cliponaxis: false,
        textfont: { size: 10 }, constraintext: "none"
      });
    });
  }
  function layoutFor(element, layout, narrow, data) {
    layout = JSON.parse(JSON.stringify(layout));
    layout.template = TEMPLATE;
    var update = legendFor(element, narrow);
    Object.keys(update).forEach(function (key) {
      layout.legend = layout.legend || {};
      layout.legend[key.slice("legend.".length)] = update[key];
    });
    if (narrow) {
      // Room below for the legend rows; direct labels at line ends stay, tick labels shrink a little.
      layout.margin = Object.assign({}, layout.margin || {}, { l: 50, r: 10 });
      layout.font = Object.assign({}, layout.font || {}, { size: 11 });
      if (isHorizontalBars(data)) {
        layout.yaxis = Object.assign({}, layout.yaxis || {}, { showticklabels: false });
        layout.margin.l = 10;
      }
    }
    return layout;
  }
  var drawn = [];
  function render(element, narrow) {
    var figure = element._figure;
    var poster = element.querySelector(".poster");
    if (poster) { poster.remove(); }
    element._narrow = narrow;
    return window.Plotly.react(
      element, dataFor(figure.data, narrow), layoutFor(element, figure.layout || {}, narrow, figure.data), config
    );
  }
  // One chart per task: drawing is the heaviest thing the page does, and a phone stays responsive between charts.
  var queue = [];
  function drawNext() {
    var element = queue.shift();
    if (!element) { return; }
    var source = document.getElementById(element.dataset.figure);
    if (source) {
      element._figure = JSON.parse(source.textContent);
      element._wideLegend = Object.assign({}, (element._figure.layout || {}).legend || {});
      render(element, isNarrow()).then(function () {
        element.dataset.rendered = "true";
        drawn.push(element);
      });
    }
    if (queue.length) { window.setTimeout(drawNext, 0); }
  }
  function enqueue(element) {
    queue.push(element);
    if (queue.length === 1) { loadPlotly().then(function () { window.setTimeout(drawNext, 0); }); }
  }
  // A poster's chart draws when the reader reaches for it with a pointer or a finger, or presses its button
  // (which then hands the keyboard focus to the chart, and goes).
  var REACHING = ["pointerenter", "touchstart"];
  function awaitReader(element) {
    var figure = element.closest("figure") || element;
    var button = figure.querySelector(".chart-activate");
    function activate(event) {
      REACHING.forEach(function (name) { figure.removeEventListener(name, activate); });
      if (button) {
        if (event && event.type === "click") {
          element.setAttribute("tabindex", "-1");
          element.focus();
        }
        button.remove();
      }
      enqueue(element);
    }
    REACHING.forEach(function (name) { figure.addEventListener(name, activate, { passive: true }); });
    if (button) { button.addEventListener("click", activate); }
  }
  document.querySelectorAll("[data-figure][data-poster]").forEach(awaitReader);
  function start() {
    var plots = document.querySelectorAll("[data-figure]:not([data-poster])");
    if (!("IntersectionObserver" in window)) {
      plots.forEach(enqueue);
      return;
    }
    // A margin below the screen: the chart is drawing by the time a scrolling reader reaches it.
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          enqueue(entry.target);
        }
      });
    }, { rootMargin: "0px 0px 400px 0px" });
    plots.forEach(function (element) { observer.observe(element); });
  }
  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(function () {
      var narrow = isNarrow();
      drawn.forEach(function (element) {
        if (element._narrow !== narrow) { render(element, narrow); }
      });
    }, 150);
  });
  // After the load event: the page's own text, styles and images come first.
  if (document.readyState === "complete") {
    start();
  } else {
    window.addEventListener("load", start);
  }
})();
