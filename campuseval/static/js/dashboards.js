/* Dashboards: draw the server's numbers with ECharts. Nothing is computed here — every value
   comes from the json_script block "dashboard-data", the same numbers as the tables beside the
   charts. One option builder per chart kind. */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") { return; }
  var payload = JSON.parse(source.textContent);
  var font = "'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif";

  function legend(extra) {
    var base = { type: "scroll", top: 0 };
    for (var k in (extra || {})) { base[k] = extra[k]; }
    return base;
  }

  function bars(chart, stacked, horizontal) {
    var series = chart.series.map(function (s) {
      var out = { name: s.name, type: "bar", data: s.data, emphasis: { focus: "series" } };
      if (stacked) { out.stack = "all"; out.label = { show: false }; }
      return out;
    });
    var category = { type: "category", data: chart.categories, inverse: !!horizontal,
      axisLabel: { interval: 0, rotate: !horizontal && chart.categories.length > 8 ? 45 : 0 } };
    var value = { type: "value" };
    return {
      textStyle: { fontFamily: font },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: legend(chart.selected ? { selected: chart.selected } : null),
      grid: { left: 8, right: 16, top: 56, bottom: 8, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: series
    };
  }

  var builders = {
    stacked_bar: function (chart) { return bars(chart, true, true); },
    histogram: function (chart) {
      var option = bars(chart, false, false);
      option.xAxis.name = ceT("分数段");
      option.yAxis.name = ceT("份数");
      option.yAxis.minInterval = 1;
      return option;
    },
    boxplot: function (chart) {
      var cat = { type: "category", data: chart.categories, axisLabel: { interval: 0 }, inverse: !!chart.horizontal };
      var val = { type: "value", name: ceT("得分") };
      return {
        textStyle: { fontFamily: font },
        tooltip: { trigger: "item" },
        grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
        xAxis: chart.horizontal ? val : cat,
        yAxis: chart.horizontal ? cat : val,
        series: [{ name: ceT("五数概括"), type: "boxplot", layout: chart.horizontal ? "horizontal" : "vertical", data: chart.data,
          tooltip: { formatter: function (p) {
            var v = p.data.value || p.data;
            var d = v.length === 6 ? v.slice(1) : v;
            return p.name + "<br>" + ceT("最高 %(v)s", { v: d[4] }) + "<br>Q3 " + d[3] + "<br>" + ceT("中位数 %(v)s", { v: d[2] }) +
              "<br>Q1 " + d[1] + "<br>" + ceT("最低 %(v)s", { v: d[0] });
          } } }]
      };
    },
    heatmap: function (chart) {
      return {
        textStyle: { fontFamily: font },
        tooltip: { position: "top", formatter: function (p) {
          return chart.y[p.data[1]] + "<br>" + chart.x_titles[p.data[0]] + "：" + p.data[2] + "%";
        } },
        grid: { left: 8, right: 16, top: 8, bottom: 64, containLabel: true },
        xAxis: { type: "category", data: chart.x, splitArea: { show: true }, axisLabel: { interval: 0, rotate: chart.x.length > 20 ? 60 : 0 } },
        yAxis: { type: "category", data: chart.y, inverse: true, splitArea: { show: true } },
        visualMap: { min: 0, max: 100, calculable: true, orient: "horizontal", left: "center", bottom: 0,
          inRange: { color: ["#d73027", "#fee08b", "#1a9850"] }, text: ["100%", "0%"] },
        series: [{ name: ceT("平均得分率"), type: "heatmap", data: chart.data,
          label: { show: chart.x.length <= 30, fontSize: 10 } }]
      };
    },
    attainment: function (chart) {
      var option = bars(chart, false, !!chart.horizontal);
      var axis = chart.horizontal ? option.xAxis : option.yAxis;
      axis.name = "%";
      axis.max = 100;
      var palette = ["#5470c6", "#91cc75", "#fac858", "#ee6666"];
      chart.targets.forEach(function (t, i) {
        var s = option.series[t.series];
        if (!s) { return; }
        s.markLine = s.markLine || { symbol: "none", data: [] };
        var mark = chart.horizontal ? { xAxis: t.value } : { yAxis: t.value };
        mark.name = t.name;
        s.markLine.data.push(Object.assign(mark, {
          lineStyle: { type: "dashed", color: palette[i % palette.length] },
          label: { formatter: t.name, position: "insideEndTop" } }));
      });
      return option;
    },
    gap: function (chart) {
      var option = bars(chart, false, !!chart.horizontal);
      (chart.horizontal ? option.xAxis : option.yAxis).name = ceT("分");
      option.series.forEach(function (s) {
        s.label = { show: true, position: chart.horizontal ? "right" : "top" };
        s.itemStyle = { color: function (p) { return p.value < 0 ? "#d9534f" : "#2e8b57"; } };
        s.markLine = { symbol: "none", silent: true, data: [chart.horizontal ? { xAxis: 0 } : { yAxis: 0 }], lineStyle: { color: "#333" }, label: { show: false } };
      });
      return option;
    },
    scatter: function (chart) {
      var series = [{ name: ceT("各单位"), type: "scatter", symbolSize: 10, data: chart.points }];
      if (chart.diagonal) {
        var lo = chart.diagonal[0], hi = chart.diagonal[1];
        series.push({ name: ceT("最终 = 自评"), type: "line", symbol: "none", silent: true,
          lineStyle: { type: "dashed", color: "#888" }, data: [[lo, lo], [hi, hi]] });
      }
      return {
        textStyle: { fontFamily: font },
        tooltip: { trigger: "item", formatter: function (p) {
          return p.seriesIndex === 0
            ? p.name + "<br>" + ceT("自评 %(self)s，最终 %(final)s", { self: p.value[0], final: p.value[1] })
            : p.seriesName;
        } },
        legend: legend(),
        grid: { left: 8, right: 24, top: 48, bottom: 28, containLabel: true },
        xAxis: { type: "value", name: ceT("自评分"), nameLocation: "middle", nameGap: 28, scale: true },
        yAxis: { type: "value", name: ceT("最终得分"), scale: true },
        series: series
      };
    },
    trend: function (chart) {
      return {
        textStyle: { fontFamily: font },
        tooltip: { trigger: "axis" },
        legend: legend(),
        grid: { left: 8, right: 16, top: 56, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: chart.categories },
        yAxis: { type: "value", name: ceT("得分") },
        series: chart.series.map(function (s) {
          return { name: s.name, type: "line", data: s.data, connectNulls: true, label: { show: true } };
        })
      };
    }
  };

  var instances = [];
  document.querySelectorAll(".dashboard-chart").forEach(function (el) {
    var chart = payload.charts[Number(el.dataset.chartIndex)];
    var build = chart && builders[chart.kind];
    if (!build) { return; }
    var instance = echarts.init(el, null, { renderer: "canvas" });
    instance.setOption(build(chart));
    instances.push(instance);
  });
  window.addEventListener("resize", function () {
    instances.forEach(function (i) { i.resize(); });
  });
})();
