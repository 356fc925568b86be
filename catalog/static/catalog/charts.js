// Draws every figure on the page: each <div data-figure="ID"> gets the JSON in <script id="ID">.
// The figure JSON comes from catalog/charts.py; strings in it were escaped on the server.
(function () {
  "use strict";
  // plotly.min.js carries English only: Korean pages register the toolbar's words and the month names
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
  if (language === "ko") { window.Plotly.register(KOREAN); }
  // No "share to Plotly's cloud" button: the site works offline and sends nothing elsewhere.
  var config = {
    responsive: true, displaylogo: false, modeBarButtonsToRemove: ["sendDataToCloud", "sendChartToCloud"], locale: language
  };
  function draw() {
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.dataset.figure);
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(element, figure.data, figure.layout, config).then(function () {
        element.dataset.rendered = "true";
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
