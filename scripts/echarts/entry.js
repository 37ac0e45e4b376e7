// The ECharts build we serve: only the charts and components the dashboard
// uses, drawn on canvas. Bundled by scripts/lib/common.sh (esbuild) into
// public/vendor/echarts-<hash>.min.js, exposed as window.echarts for the
// chart islands.
import * as echarts from "echarts/core";
import { BarChart, LineChart, PieChart } from "echarts/charts";
import {
  AxisPointerComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  LineChart,
  BarChart,
  PieChart,
  GridComponent,
  TooltipComponent,
  AxisPointerComponent,
  LegendComponent,
  CanvasRenderer,
]);

window.echarts = echarts;
