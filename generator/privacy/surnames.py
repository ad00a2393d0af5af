"""Chinese surnames the name detector anchors on (common single-character ones and the
compound ones). Kept as data, not logic: add a surname here when an export shows one.

Rare surnames that are everyday function words in enforcement text (和, 在, 是, 把, 被, 将,
对, 从, 及, 有, 无, 未, 所, 其, 该, 此) are left out on purpose: '当事人对…', '乘客在…'
would otherwise read as names.
"""
from __future__ import annotations

COMPOUND_SURNAMES = frozenset("""
欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 轩辕 端木 独孤 南宫
西门 百里 呼延 澹台 公冶 太史 申屠 闻人 钟离 东郭 拓跋 赫连 万俟 闾丘 淳于 单于 仲孙
濮阳 乐正 司空 左丘 梁丘 第五 谷梁 羊舌 微生 公羊 漆雕 壤驷 巫马 公西 颛孙 子车 亓官
""".split())

SINGLE_SURNAMES = frozenset("""
王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹
彭 曾 肖 田 董 袁 潘 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石
廖 贾 夏 韦 付 傅 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 阎 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚
邵 万 钱 严 覃 武 戴 莫 孔 向 汤 常 温 康 施 文 牛 樊 葛 邢 安 齐 易 乔 伍 庞 颜 倪 庄 聂
章 鲁 岳 翟 殷 詹 申 欧 耿 关 兰 焦 俞 左 柳 甘 祝 包 宁 尚 符 舒 阮 柯 纪 梅 童 凌 毕 单
季 裴 霍 涂 成 苗 谷 盛 曲 翁 冉 骆 蓝 路 游 辛 靳 管 柴 蒙 鲍 华 喻 祁 蒲 房 滕 屈 饶 解
牟 艾 尤 阳 时 穆 农 司 卓 古 吉 缪 简 车 项 连 芦 麦 褚 娄 窦 戚 岑 景 党 宫 费 卜 冷 晏
席 卫 米 柏 宗 瞿 桂 全 佟 应 臧 闵 苟 邬 边 卞 姬 师 和 仇 栾 隋 商 刁 沙 荣 巫 寇 桑 郎
甄 丛 仲 虞 敖 巩 明 佘 池 查 麻 苑 迟 邝 官 封 谈 匡 鞠 惠 荆 乐 冀 郁 胥 南 班 储 原 栗
燕 楚 鄢 劳 谌 奚 皮 粟 冼 蔺 楼 盘 满 闻 位 厉 伊 仝 区 郜 海 阚 花 权 强 帅 屠 豆 朴 盖
练 廉 禹 井 祖 漆 巴 丰 支 卿 国 狄 平 计 索 宣 晋 相 初 门 云 容 敬 来 扈 晁 芮 都 普 阙
浦 戈 伏 鹿 薄 邸 雍 辜 羊 阿 乌 母 裘 亓 修 邰 赫 杭 况 那 宿 鲜 印 逯 隆 茹 诸 战 慕 危
玉 银 亢 嵇 公 哈 湛 宾 戎 勾 茅 利 於 呼 居 揭 干 但 尉 冶 斯 元 束 檀 衣 信 展 阴 昝 智
幸 奉 植 衡 富 尧 闭 由 于 钮 嵩 牧 经 台 红 凤 代 邴 糜 松 井 段 巨 蓟 乜 仰 秋 仲 伞 汝
""".split()) - frozenset("和")
# Surnames missing above (萧, 赖, 洪: common in the south) and rare ones of the 百家姓 (each
# still borne by thousands): a name with one of them is
# as personal as any other.
RARE_SURNAMES = frozenset("萧赖洪禚逄仉笪郇訾厍琚酆隗萨佴缑郦羿睢璩淳郗谯郏郯殳蒯郤宦庾暨夔竺桓毋乜阚邗邛靳雒钭郜芮汲邴宓蓬莘")
SINGLE_SURNAMES = SINGLE_SURNAMES | RARE_SURNAMES

# Longest first, so 欧阳 wins over 欧.
ALL_SURNAMES = tuple(sorted(COMPOUND_SURNAMES | SINGLE_SURNAMES, key=lambda s: (-len(s), s)))


def surname_of(name: str) -> str:
    """The surname of a full name: a compound one when the name starts with it."""
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[:1]

# Kin words: a name often follows one ('其哥哥诸葛明', '妻子秦某某'). Both lines use them as
# a cue before a name: the importer's names.py and the leak gate's second_line.py.
KIN_WORDS = ("哥哥", "姐姐", "弟弟", "妹妹", "父亲", "母亲", "丈夫", "妻子", "儿子", "女儿", "爱人", "同学")
