"""Every word the site itself writes, in English and Chinese: one table, one look-up.

Data (titles, names, notes) comes from the package; this table holds only the site's
own words: navigation, headings, captions, chart titles and axes. A page in
language ``lang`` calls ``text(lang, key, **values)``; a key ending in ``_html``
holds markup of ours, and its values are escaped when they are filled in.
Chinese pages live under ``zh/``, each the twin of the English page of the same name.
"""

from __future__ import annotations

from typing import Any, Literal

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")
HTML_LANG = {"en": "en", "zh": "zh-CN"}
FOLDER = {"en": "", "zh": "zh/"}  # where a language's pages live, under the site root
SVG_SUFFIX = {"en": "", "zh": ".zh-CN"}  # charts/<name><suffix>.svg

STRINGS: dict[str, dict[str, str]] = {
    # -- the frame of every page
    "lang.switch": {"en": "中文", "zh": "English"},
    "lang.switch_label": {"en": "本页中文版", "zh": "This page in English"},
    "nav.home": {"en": "Home", "zh": "首页"},
    "nav.trade": {"en": "Trade series", "zh": "进出口规模"},
    "nav.pilot_zones": {"en": "Pilot zones", "zh": "综合试验区"},
    "nav.timeline": {"en": "Timeline", "zh": "时间线"},
    "nav.market_figures": {"en": "Market figures", "zh": "市场数据"},
    "nav.errata": {"en": "Errata", "zh": "勘误"},
    "nav.citations": {"en": "Citations", "zh": "引证"},
    "nav.datasheet": {"en": "Datasheet", "zh": "数据说明书"},
    "nav.tables": {"en": "Tables:", "zh": "数据表："},
    "nav.site": {"en": "Site", "zh": "网站导航"},
    "footer": {
        "en": "{title}, version {version}. Data licensed {licences}. Built from the Data Package by xborder_data.site; works offline "
        "and makes no network requests. Charts are plain SVG; on table pages a small script shipped with the site adds sorting "
        "and filtering, and the pages work without it.",
        "zh": "{title}，版本 {version}。数据许可：{licences}。本网站由 xborder_data.site 依据数据包生成，可离线浏览，不发出任何网络请求。"
        "图表为 SVG；数据表页面附带一个小脚本，用于排序和筛选，不启用脚本也能完整阅读。",
    },
    "chart.open": {"en": "Open the chart at full size", "zh": "查看原尺寸图表"},
    "chart.open_note": {"en": "(SVG, to zoom on a small screen)", "zh": "（SVG，便于在小屏幕上缩放）"},
    "map.open": {"en": "Open the map at full size", "zh": "查看原尺寸地图"},
    "chart.data_behind": {"en": "The data behind this chart:", "zh": "本图所用数据："},
    "charts.data_behind": {"en": "The data behind these charts:", "zh": "本页图表所用数据："},
    # -- home
    "home.title": {"en": "Home", "zh": "首页"},
    "home.version": {"en": "Version", "zh": "版本"},
    "home.license": {"en": "License:", "zh": "许可："},
    "home.about": {"en": "About this dataset", "zh": "关于本数据集"},
    "home.about_1": {
        "en": "This is a small dataset about how China's cross-border e-commerce grew up. It starts from one article, an English "
        "machine translation of a Chinese text from about 2014–2015, that describes three stages: information services from 1999, "
        "online transactions from 2004, and services for the whole industry chain from 2013. The dataset keeps the stages, the "
        "platforms and policies the article names, and every number it prints, as typed tables.",
        "zh": "这是一个关于中国跨境电子商务发展历程的小型数据集。它以一篇文章为起点：该文原为约 2014—2015 年的中文文本，现仅以英文机器翻译流传，"
        "将跨境电商的发展分为三个阶段——1999 年起的信息服务、2004 年起的在线交易、2013 年起的全产业链服务。"
        "本数据集把文中的阶段、平台、政策和每一个数字整理为带类型的数据表。",
    },
    "home.about_2_html": {
        "en": "Nothing is taken on trust. Each factual claim of the article is stored with its printed words and checked against "
        "independent sources: of the article's {claims} claims, {statuses}. {later}Where the translation garbled the text, the "
        '<a href="errata.html">errata</a> say what was meant. Unverified figures stay in the data, but flagged: read them as the '
        "article's claims, not as facts.",
        "zh": "本数据集不轻信任何说法。文中每一项事实陈述都连同原文措辞一起保存，并与独立来源核对：文章的 {claims} 项陈述中，{statuses}。{later}"
        '机器翻译造成误读之处，<a href="errata.html">勘误</a>说明原意。未经核实的数字仍保留在数据中，但已标注：请把它们当作文章的说法，而非事实。',
    },
    "home.later": {
        "en": "A further {later} claims come from the later sources that extend the record past the article, each kept with its quote. ",
        "zh": "另有 {later} 项陈述来自把记录延伸到文章之后的后续来源，每项都附有引文。",
    },
    "home.status_count": {"en": "{count} {status}", "zh": "{status} {count} 项"},
    "status.confirmed": {"en": "confirmed", "zh": "已证实"},
    "status.corrected": {"en": "corrected", "zh": "已更正"},
    "status.disputed": {"en": "disputed", "zh": "有争议"},
    "status.unverified": {"en": "unverified", "zh": "未核实"},
    "home.explore": {"en": "Explore", "zh": "浏览"},
    "home.explore.trade": {"en": "China's official cross-border e-commerce trade figures by year, with the breaks in what they count.", "zh": "中国跨境电商进出口的官方年度数据，并标明统计口径的变化。"},
    "home.explore.pilot_zones": {"en": "the comprehensive pilot zones by batch", "zh": "按批次列出的跨境电子商务综合试验区"},
    "home.explore.pilot_zones_map": {"en": ", and a map of them", "zh": "，并附地图"},
    "home.explore.timeline": {"en": "the stages, with platforms and policies placed in time.", "zh": "发展阶段，以及按时间排列的平台和政策。"},
    "home.explore.market_figures": {"en": "every number the article gives, by driver.", "zh": "文章给出的每一个数字，按发展动因分组。"},
    "home.explore.errata": {"en": "what the article printed, what it meant, and why.", "zh": "文章印了什么、原意是什么、为什么。"},
    "home.explore.citations": {"en": "the claims, evidence and sources behind every row.", "zh": "每一行数据背后的陈述、证据和来源。"},
    "home.explore.datasheet": {"en": "motivation, composition, collection, uses and maintenance.", "zh": "编制动机、构成、采集、用途与维护。"},
    "home.table": {"en": "Table", "zh": "数据表"},
    "home.rows": {"en": "Rows", "zh": "行数"},
    "home.description": {"en": "Description", "zh": "说明"},
    "home.cite": {"en": "How to cite", "zh": "引用方式"},
    "home.downloads": {"en": "Downloads", "zh": "下载"},
    "home.bytes": {"en": "bytes", "zh": "字节"},
    "download.zip": {"en": "Everything in one zip archive", "zh": "全部文件，打包为一个 zip 压缩包"},
    "download.xlsx": {"en": "Excel workbook, one sheet per table, the derived tables (the DID panel) included",
                      "zh": "Excel 工作簿，每张表一个工作表，含派生表（双重差分面板）"},
    "download.sqlite": {"en": "SQLite database, one table per resource and per derived table",
                        "zh": "SQLite 数据库，每个资源和每个派生表各一张表"},
    "download.parquet": {"en": "Parquet, one file per table (derived tables included), with the Table Schema's types",
                         "zh": "Parquet，每张表一个文件（含派生表），保留 Table Schema 的数据类型"},
    "download.json": {"en": "JSON, one file of records per table (derived tables included), plus the descriptor",
                      "zh": "JSON，每张表一个记录文件（含派生表），另附描述文件"},
    "download.dta": {"en": "Stata 118 files with variable labels, one per table (derived tables included)",
                     "zh": "Stata 118 格式文件，带变量标签，每张表一个（含派生表）"},
    "download.descriptor": {"en": "The Data Package descriptor (with data/ and schemas/ below it)",
                            "zh": "数据包描述文件（data/ 与 schemas/ 目录在其下）"},
    "download.derived": {"en": "CSV: {title}, with its Table Schema beside it", "zh": "CSV：{title}，旁附其 Table Schema"},
    # -- tables
    "table.rows_html": {
        "en": "{rows} rows. Primary key: <code>{primary_key}</code>. Download: {download}. The key columns come first; columns that are mostly empty are at the right end.",
        "zh": "共 {rows} 行。主键：<code>{primary_key}</code>。下载：{download}。主键列在最前，大多为空的列排在最右侧。",
    },
    "table.columns": {"en": "Columns", "zh": "字段说明"},
    "table.scrollable": {"en": "{title} table, scrollable", "zh": "{title}（可滚动的表格）"},
    "table.citations": {"en": "Citations", "zh": "引证"},
    "table.sources": {"en": "sources", "zh": "来源"},
    # -- citations and errata
    "citations.title": {"en": "Citations", "zh": "引证"},
    "citations.intro": {
        "en": "For every row of every table: the claims of the article that support it, the evidence that checks those claims, and the "
        "sources. Links to sources outside this site are plain links; nothing is loaded from them.",
        "zh": "每张表的每一行：支持它的文章陈述、核对这些陈述的证据，以及来源。指向站外来源的只是普通链接，本站不会从中加载任何内容。",
    },
    "citations.claims": {"en": "Claims", "zh": "陈述"},
    "citations.evidence": {"en": "Evidence", "zh": "证据"},
    "citations.sources": {"en": "Sources", "zh": "来源"},
    "citations.printed": {"en": "printed", "zh": "原文"},
    "citations.field": {"en": "field", "zh": "字段"},
    "citations.none": {"en": "None recorded.", "zh": "未记录。"},
    "errata.title": {"en": "Errata", "zh": "勘误"},
    "errata.intro": {
        "en": "The source article is a machine translation, and some of its words do not say what the Chinese original meant. Each "
        "entry gives the printed words, the intended reading and why. The claims that contain the error are listed under it.",
        "zh": "源文章是机器翻译，部分措辞并未表达中文原文的意思。每条勘误给出印出的文字、应有的理解及理由，并列出包含该错误的陈述。",
    },
    "errata.printed": {"en": "Printed", "zh": "原文"},
    "errata.meant": {"en": "Meant", "zh": "原意"},
    "errata.why": {"en": "Why", "zh": "理由"},
    "errata.in_claims": {"en": "In claims", "zh": "涉及陈述"},
    "errata.row": {"en": "row in the errata table", "zh": "勘误表中的该行"},
    # -- datasheet
    "datasheet.title": {"en": "Datasheet", "zh": "数据说明书"},
    "datasheet.english_only": {
        "en": "",
        "zh": "数据说明书尚无中文版；以下为英文原文。",
    },
    # -- the trade page
    "trade.title": {"en": "Trade series", "zh": "进出口规模"},
    "trade.all_heading": {"en": "Every figure, every vintage", "zh": "全部数字与版本"},
    "trade.listing": {"en": "The rows plotted, by series", "zh": "按序列列出的数据行"},
    "trade.listing_intro_html": {
        "en": "Each series is one scope, one flow and one period length; links go to the rows of the trade values table. Rows in "
        "<em>italics</em> are points off the line: a figure that a later release superseded.",
        "zh": "每个序列对应一种统计口径、一个流向和一种期间长度；链接指向进出口数据表中的行。<em>斜体</em>的行是不在折线上的点：已被后续发布取代的数字。",
    },
    "trade.annual.title": {"en": "China's cross-border e-commerce trade by year, by scope", "zh": "中国跨境电商进出口规模（按年、按统计口径）"},
    "trade.annual.y": {"en": "CNY billion", "zh": "十亿元人民币"},
    "trade.annual.flow": {"en": "Flow", "zh": "流向"},
    "trade.annual.export": {"en": "export", "zh": "出口"},
    "trade.annual.import": {"en": "import", "zh": "进口"},
    "trade.annual.total": {"en": "total (no split published)", "zh": "总额（未公布进出口构成）"},
    "trade.annual.caption_1": {
        "en": "Annual values in CNY billion on a linear axis, one panel per scope (what is counted); never compare bars across "
        "panels. Where a source splits a year into export and import, the two are stacked; otherwise the bar is the total.",
        "zh": "年度数值，单位十亿元人民币，线性坐标；每个分图对应一种统计口径，不同分图之间的柱子不可比较。来源给出出口与进口构成的年份，两者堆叠显示；否则柱子为总额。",
    },
    "trade.annual.caption_vintage": {
        "en": "Each year shows its latest figure (a final figure over a revised one over the first release; implied values are left out): {years}.",
        "zh": "每年取最新的数字（终值优先于修订值，修订值优先于初值；不使用推算值）：{years}。",
    },
    "trade.annual.caption_sum": {
        "en": "{year}: export and import add up to {parts}, while the total is stated as {total}; the bar shows the parts, the label the total.",
        "zh": "{year} 年：出口与进口合计 {parts}，而公布的总额为 {total}；柱子显示构成，标签显示总额。",
    },
    "trade.annual.caption_left": {
        "en": "Not in this chart: periods other than calendar years ({periods}), and figures whose scope no source states ({unknown}); every figure is in the chart below.",
        "zh": "本图未包括：非自然年度的期间（{periods}），以及来源未说明统计口径的数字（{unknown}）；全部数字见下图。",
    },
    "trade.annual.no_figure": {"en": "no figure stated for {years} (the bar is left empty)", "zh": "{years} 年无公布数字（柱位留空）"},
    "trade.span.year": {"en": "year", "zh": "年度"},
    "trade.span.half_year": {"en": "half year", "zh": "半年"},
    "trade.span.months": {"en": "{months}-month span", "zh": "{months} 个月"},
    "trade.qualifier.more_than": {"en": "more than ", "zh": "超过"},
    "trade.qualifier.about": {"en": "about ", "zh": "约 "},
    "trade.vintage.first_release": {"en": "first release", "zh": "初值"},
    "trade.vintage.revised": {"en": "revised", "zh": "修订值"},
    "trade.vintage.final": {"en": "final", "zh": "终值"},
    "trade.vintage.implied": {"en": "implied", "zh": "推算值"},
    "trade.vintage.unknown": {"en": "vintage not stated", "zh": "版本不明"},
    "trade.all.title": {"en": "China's cross-border e-commerce trade, official figures", "zh": "中国跨境电商进出口的官方数字"},
    "trade.all.x": {"en": "Middle of the period", "zh": "期间中点"},
    "trade.all.y": {"en": "CNY billion (log scale)", "zh": "十亿元人民币（对数坐标）"},
    "trade.all.scope": {"en": "Scope (what is counted)", "zh": "统计口径"},
    "trade.all.flow": {"en": "Flow", "zh": "流向"},
    "trade.all.figure": {"en": "Figure", "zh": "数字类型"},
    "trade.all.scope_change": {"en": "{year}: scope changes to {scope}", "zh": "{year} 年：口径改为{scope}"},
    "trade.release.first": {"en": "first release", "zh": "初值"},
    "trade.release.revised": {"en": "revised or final", "zh": "修订值或终值"},
    "trade.release.implied": {"en": "implied by other figures (derived)", "zh": "由其他数字推算"},
    "trade.release.not_stated": {"en": "revision not stated", "zh": "未说明修订情况"},
    "trade.all.caption_1": {
        "en": "Plotted: China's cross-border e-commerce import and export value in CNY billion, from the trade_values table: one "
        "point per row, at the middle of its period, on a log scale so the small early figures stay visible.",
        "zh": "图中为 trade_values 表中的中国跨境电商进出口额（十亿元人民币）：每行一个点，位于其期间的中点；采用对数坐标，使早期的小数字仍然可见。",
    },
    "trade.all.caption_2": {
        "en": "What is counted changed over time (the scope). A line joins only figures of one scope, one flow (total, export or "
        "import) and one period length; a dashed rule marks where a new scope begins, and no line crosses it. Never compare values across scopes.",
        "zh": "统计口径随时间变化。折线只连接同一口径、同一流向（总额、出口或进口）、同一期间长度的数字；虚线标出新口径开始之处，折线不会跨越它。不同口径的数值不可比较。",
    },
    "trade.all.caption_3": {
        "en": "Hollow circles are first releases (usually preliminary figures); diamonds are revised or final figures; triangles are "
        "figures implied by other figures; squares are figures whose revision the sources do not state. Where a period has more "
        "than one figure, the line runs through the revised one.",
        "zh": "空心圆为初值（通常是初步数字）；菱形为修订值或终值；三角形为由其他数字推算的值；方形为来源未说明修订情况的数字。同一期间有多个数字时，折线经过修订后的那个。",
    },
    "trade.all.caption_4": {"en": "Export and import are drawn only where a source splits the total.", "zh": "仅在来源给出进出口构成时才绘制出口和进口。"},
    "trade.scope.unknown": {"en": "scope not stated", "zh": "口径不明"},
    "trade.scope.pilot_city_retail": {"en": "pilot city retail", "zh": "试点城市零售"},
    "trade.scope.platform_cleared_retail": {"en": "platform cleared retail", "zh": "经海关跨境电商平台验放的零售"},
    "trade.scope.survey_including_b2b": {"en": "survey including B2B", "zh": "含 B2B 的统计调查"},
    "trade.flow.total": {"en": "total", "zh": "总额"},
    "trade.flow.export": {"en": "export", "zh": "出口"},
    "trade.flow.import": {"en": "import", "zh": "进口"},
    # -- pilot zones
    "pz.title": {"en": "Pilot zones", "zh": "综合试验区"},
    "pz.intro": {
        "en": "China approves comprehensive cross-border e-commerce pilot zones (跨境电子商务综合试验区) in batches. The first chart counts them by batch; the map shows where they are.",
        "zh": "中国分批设立跨境电子商务综合试验区。第一张图按批次统计数量，地图显示它们的位置。",
    },
    "pz.rows": {"en": "Rows:", "zh": "数据行："},
    "pz.map": {"en": "Map", "zh": "地图"},
    "pz.by_batch": {"en": "The zones by batch", "zh": "各批次的试验区"},
    "pz.batch": {"en": "Batch {batch}", "zh": "第{batch}批"},
    "pz.in_table": {"en": "({count} in the table)", "zh": "（表中 {count} 个）"},
    "pz.map_missing_html": {
        "en": "The map is drawn from the <code>pilot_zones</code> table (one row per city or area, with its coordinates), which is not "
        "in this release ({version}). It appears here once a release includes that table.",
        "zh": "地图依据 <code>pilot_zones</code> 表（每个城市或地区一行，附坐标）绘制，本版本（{version}）不含该表。待某一版本包含该表后，地图将在此显示。",
    },
    "pz.batch_label": {"en": "Batch {batch} ({year})", "zh": "第{batch}批（{year}）"},
    "pz.year_not_recorded": {"en": "year not recorded", "zh": "年份未记录"},
    "pz.stated": {"en": "stated by a source", "zh": "来源明确给出"},
    "pz.derived": {"en": "derived from other batches", "zh": "由其他批次推算"},
    "pz.count.y": {"en": "Pilot zones", "zh": "试验区数量"},
    "pz.count.added": {"en": "Zones added (bars)", "zh": "新增（柱）"},
    "pz.count.total": {"en": "Running total (points)", "zh": "累计（点）"},
    "pz.count.title": {"en": "Cross-border e-commerce pilot zones: added per batch (bars) and running total (points)", "zh": "跨境电子商务综合试验区：各批新增（柱）与累计（点）"},
    "pz.count.chart_title": {"en": "Pilot zones by batch", "zh": "各批次综合试验区"},
    "pz.count.caption_1": {
        "en": "Bars are the zones each batch added; dark points joined by a line are the running total of zones. Hollow points and "
        "dashed bars are counts derived from other batches' counts, not stated by a source.",
        "zh": "柱为每批新增的试验区数；以线相连的深色点为累计数。空心点和虚线柱是由其他批次数量推算的值，并非来源明确给出。",
    },
    "pz.count.caption_missing": {
        "en": "No total is drawn for {batches}: no source read states it, and it is not computed.",
        "zh": "{batches} 未绘制累计数：所读来源均未给出，也未推算。",
    },
    "pz.map.title": {"en": "Cross-border e-commerce pilot zones, coloured by batch", "zh": "跨境电子商务综合试验区（按批次着色）"},
    "pz.map.chart_title": {"en": "Map of the pilot zones", "zh": "综合试验区地图"},
    "pz.map.legend": {"en": "Batch", "zh": "批次"},
    "pz.map.inset": {"en": "South China Sea\nIslands", "zh": "南海诸岛"},
    "pz.map.zone": {"en": "{name}, batch {batch}", "zh": "{name}，第{batch}批"},
    "pz.map.revoked": {"en": ", revoked by batch {batch}", "zh": "，第{batch}批时撤销"},
    "pz.map.at_seat": {"en": ", placed at the seat of {prefecture}", "zh": "，标于{prefecture}驻地"},
    "pz.map.caption_1": {
        "en": "One mark per pilot zone, at the point the pilot_zones table gives for its city or area, coloured by the batch that "
        "approved it; a ring marks a whole-island zone (Hainan, 2025), drawn around its seat. Hover a mark for its name.",
        "zh": "每个试验区一个标记，位于 pilot_zones 表给出的城市或地区坐标，颜色表示批准它的批次；圆环表示全岛范围的试验区（海南，2025 年），画在其驻地周围。鼠标悬停可查看名称。",
    },
    "pz.map.caption_seat": {
        "en": "Placed at the seat of their prefecture, because the pilot_zones table gives no point of their own (the units table gives the seat): {zones}.",
        "zh": "以下试验区在 pilot_zones 表中没有自己的坐标，按所属地级单位的驻地标注（驻地坐标取自 units 表）：{zones}。",
    },
    "pz.map.caption_listed": {
        "en": "{listed} of the {designations} designations the batches count are listed.",
        "zh": "各批次共计 {designations} 个设立，表中列出 {listed} 个。",
    },
    "pz.map.caption_gaps": {
        "en": " Missing: {batches}, which no source read names unambiguously (pilot_zone_batches.note says which).",
        "zh": "缺少：{batches}，所读来源均未明确列出（详见 pilot_zone_batches.note）。",
    },
    "pz.map.gap": {"en": "batch {batch} ({missing} of {added})", "zh": "第{batch}批（{added} 个中缺 {missing} 个）"},
    "pz.map.no_revoked": {"en": "No source reports a revoked zone.", "zh": "没有来源报告撤销的试验区。"},
    "pz.map.revocations": {
        "en": "Revoked by the reply on batch {by}: {names}; they are shown with the batch that designated them (a tooltip says so).",
        "zh": "第{by}批的批复撤销了：{names}；地图上仍按设立它们的批次显示（悬停提示会说明）。",
    },
    "pz.map.in_force": {"en": " {total} zones are in force after batch {batch}.", "zh": "第{batch}批之后共有 {total} 个试验区。"},
    "pz.map.caption_base": {
        "en": "Base map: {source} China is drawn as Chinese publications draw it: Taiwan, Hong Kong and Macao as part of China, the "
        "South China Sea Islands in the inset with the dashed line as Natural Earth draws China's view (nine segments). Shipped with the site; nothing is loaded from elsewhere.",
        "zh": "底图：{source}中国按国内出版物的画法绘制：台湾、香港、澳门属于中国，南海诸岛见右下角附图，断续线按 Natural Earth 的中国视角数据绘制（九段）。底图随网站发布，不从任何外部地址加载。",
    },
    "pz.map.caption_unplaced": {
        "en": "Not on the map, because the data has no coordinates for them or their prefecture: {zones}.",
        "zh": "以下试验区因数据中没有其本身或所属地级单位的坐标而未在地图上标出：{zones}。",
    },
    # -- timeline
    "tl.title": {"en": "China's cross-border e-commerce: stages, platforms and policies", "zh": "中国跨境电商：发展阶段、平台与政策"},
    "tl.chart_title": {"en": "Timeline", "zh": "时间线"},
    "tl.year": {"en": "Year", "zh": "年份"},
    "tl.kind": {"en": "Kind", "zh": "类别"},
    "tl.stage": {"en": "Stage", "zh": "阶段"},
    "tl.platform": {"en": "Platform", "zh": "平台"},
    "tl.policy": {"en": "Policy", "zh": "政策"},
    "tl.corrected": {"en": "Corrected fact", "zh": "已更正的事实"},
    "tl.stage_row": {"en": "Stage {id}: {label}", "zh": "阶段 {id}：{label}"},
    "tl.ongoing": {"en": "ongoing", "zh": "持续中"},
    "tl.year_only": {"en": "{year} (year only)", "zh": "{year}（仅知年份）"},
    "tl.off_axis": {"en": "◂ off the axis: {label}", "zh": "◂ 超出坐标轴：{label}"},
    "tl.narrow": {"en": "On a narrow screen the chart is small: open it at full size from the link under it, or read", "zh": "窄屏上图表较小：可通过图下方的链接查看原尺寸，或阅读"},
    "tl.narrow_link": {"en": "the same events as a list", "zh": "同样事件的列表"},
    "tl.listing": {"en": "The platforms and policies in order", "zh": "按时间排列的平台与政策"},
    "tl.caption_1": {
        "en": "Bars are the stages; circles mark platforms at their founding or launch year (placed at 1 January); squares mark "
        "policies at their issue date, or at 1 January of the issue year where only the year is known. A policy is named by its "
        "document number (or issuer) and a short title; the full titles are in the list below and in the policies table.",
        "zh": "条形为发展阶段；圆点为平台，位于其创立或上线年份（置于 1 月 1 日）；方块为政策，位于发文日期，只知年份的置于该年 1 月 1 日。"
        "政策以文号（或发文机关）和简称标注；完整标题见下方列表和 policies 表。",
    },
    "tl.caption_outliers": {
        "en": "The axis starts in {first}, a few years before the events crowd in. {rows} lies long before that, so it is drawn at the left edge, marked ◂, with its true year in the label.",
        "zh": "坐标轴从 {first} 年开始，即事件密集出现前几年。{rows} 远早于此，因此画在左边缘，以 ◂ 标记，标签中给出真实年份。",
    },
    "tl.caption_open": {
        "en": "{stages} has no end year in the data: it was ongoing when the article was written. Its bar is drawn to the end of {year}, the latest year of any event on this chart.",
        "zh": "{stages} 在数据中没有结束年份：文章写作时仍在持续。其条形画到 {year} 年末，即本图中最晚事件的年份。",
    },
    "tl.caption_corrected": {
        "en": "Red diamonds are rows whose printed facts were corrected or disputed by independent sources; they are drawn at the corrected value, and the label quotes what the article printed.",
        "zh": "红色菱形表示其事实被独立来源更正或质疑的行；按更正后的值绘制，标签引用文章原文。",
    },
    "tl.caption_skipped": {"en": "Not placed, because the data has no year for them: {rows}.", "zh": "以下各项因数据中没有年份而未绘出：{rows}。"},
    "tl.printed": {"en": "{what}; the article printed {quoted}", "zh": "{what}；文章原文为 {quoted}"},
    # -- market figures
    "mf.title": {"en": "Market figures the article gives, by development driver", "zh": "文章给出的市场数据（按发展动因）"},
    "mf.chart_title": {"en": "Market figures", "zh": "市场数据"},
    "mf.status": {"en": "Fact-check status", "zh": "核实状态"},
    "mf.kind": {"en": "Kind", "zh": "类型"},
    "mf.x": {"en": "Value, in the panel's unit", "zh": "数值（单位见分图标题）"},
    "mf.panel": {"en": "{driver}, in {unit}", "zh": "{driver}（单位：{unit}）"},
    "mf.caption_1": {
        "en": "One mark per figure. Shape tells the kind of figure (observed, estimate, forecast, survey share or other survey "
        "value); colour tells its fact-check status. Unverified figures are red and labelled UNVERIFIED: no independent source "
        "was found for them, so read them as the article's claims, not as established facts.",
        "zh": "每个数字一个标记。形状表示数字类型（观测值、估计值、预测值、调查比例或其他调查值）；颜色表示核实状态。"
        "未核实的数字为红色并标注 UNVERIFIED：未找到独立来源，请把它们当作文章的说法，而非确定的事实。",
    },
    "mf.caption_2": {
        "en": "One panel per driver and unit, so values in different units never share an axis. A forecast is labelled with its target year.",
        "zh": "每个动因和单位一个分图，不同单位的数值不会共用坐标轴。预测值以其目标年份标注。",
    },
    "mf.caption_missing": {"en": "Drivers with no figures in the data: {drivers}.", "zh": "数据中没有数字的动因：{drivers}。"},
}


def text(lang: Lang, key: str, **values: Any) -> str:
    """The site's words for ``key`` in ``lang``, with ``values`` filled in (escaped for an ``_html`` key).

    Raises:
        KeyError: for a key the table lacks (a typo fails the build, never the reader).
    """
    template = STRINGS[key][lang]
    if key.endswith("_html"):
        from markupsafe import Markup

        return Markup(template).format(**values)
    return template.format(**values) if values else template


def join(lang: Lang, items: list[str]) -> str:
    """A list in running text: 'a, b, c' in English, 'a、b、c' in Chinese."""
    return ("、" if lang == "zh" else ", ").join(items)
