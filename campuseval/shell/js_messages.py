"""The messages the site's scripts show (campuseval/static/js), so they read in the page's
language: the scripts look each Chinese message up with ceT(…) (js/i18n.js) in the JSON block
base.html renders through the shell's js_messages tag. A script message missing here stays Chinese
on an English page; tests/shell/test_translations.py keeps the two in step."""

from __future__ import annotations

from django.utils.translation import gettext_noop

JS_MESSAGES: tuple[str, ...] = (
    # upload-limits.js, autosave.js
    gettext_noop("一次最多上传 %(most)s 个文件，已选择 %(n)s 个，请分批上传"),
    gettext_noop("内容尚未保存，暂不能离开本页：%(reason)s。填写的内容保留在本页和本浏览器中，请稍后再试。"),
    gettext_noop("另一个窗口保存过，正在核对…"),
    gettext_noop("另一个窗口（或他人）已保存了这里的修改，请先处理对照表"),
    gettext_noop("恢复了未保存的内容（%(n)s 项），现已保存到服务器。"),
    gettext_noop("恢复了未保存的内容（%(n)s 项），这些内容尚未保存到服务器，正在保存…"),
    gettext_noop("所选 %(n)s 个文件合计 %(size)s，一次上传合计不能超过 %(most)s，请分批上传"),
    gettext_noop("文件「%(name)s」是空文件，请重新选择"),
    gettext_noop("文件「%(name)s」有 %(size)s，超过每个文件 %(most)s 的大小限制，未上传；请压缩或拆分后重新选择"),
    gettext_noop("有修改，即将自动保存…"),
    gettext_noop("服务器出错，未保存，正在重试"),
    gettext_noop("服务器响应超时，未保存，正在重试"),
    gettext_noop("未保存：另一个窗口（或他人）已保存了这里的修改，请对照上表确认；您填写的内容仍保留在本页"),
    gettext_noop("未保存：找不到这份申报或您已无权修改（HTTP 404），正在重试"),
    gettext_noop("未保存：服务器拒绝了提交的内容（HTTP %(status)s），正在重试"),
    gettext_noop("未保存：服务器拒绝了请求（HTTP %(status)s），正在重试"),
    gettext_noop(
        "未保存：服务器拒绝了请求（HTTP 403，登录状态或页面已过期），正在重试；刷新页面后可继续保存，已填写的内容保留在本浏览器"  # noqa: E501
    ),
    gettext_noop("未保存：登录已过期，正在转到登录页；填写的内容已暂存"),
    gettext_noop("正在保存…"),
    gettext_noop("正在核对服务器上的内容…"),
    gettext_noop("网络连接中断，未保存，正在重试"),
    # dashboards.js (chart axes, series and tooltips)
    gettext_noop("中位数 %(v)s"),
    gettext_noop("五数概括"),
    gettext_noop("份数"),
    gettext_noop("分"),
    gettext_noop("分数段"),
    gettext_noop("各单位"),
    gettext_noop("平均得分率"),
    gettext_noop("得分"),
    gettext_noop("最低 %(v)s"),
    gettext_noop("最终 = 自评"),
    gettext_noop("最终得分"),
    gettext_noop("最高 %(v)s"),
    gettext_noop("自评 %(self)s，最终 %(final)s"),
    gettext_noop("自评分"),
)
