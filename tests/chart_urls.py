"""The pages that draw charts, on the bundled data: every chart page, the Korean ones, compare with picks."""

CHART_PAGES = [
    "/",
    "/ko/",
    "/charts/moores-law/",
    "/charts/vendors/",
    "/charts/ppa/",
    "/charts/roofline/",
    "/charts/prices/",
    "/ko/charts/prices/",
    "/charts/model-scale/",
    "/charts/capability-prices/?capability=gpt-4-gpqa",
    "/compare/?chips=nvidia-h100-sxm&chips=amd-mi300x",
    "/compare/?models=llama-3-70b&models=gpt-4o",
    "/compare/?chips=nvidia-h100-sxm&chips=amd-mi300x&models=llama-3-70b&models=gpt-4o",
]
