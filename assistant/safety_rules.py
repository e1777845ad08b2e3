"""Deterministic screening of requests the assistant must refuse, in the TC260-003 risk categories
relevant to a government assistant and the government-specific ones (impersonating officials, forged
documents and seals, bribery, benefit fraud, 代办 scams, evading regulation).

A rule matches a *request to do or learn to do* the harmful thing; the same words asked defensively —
how to report it, recognise it, what the penalty is, what to do as a victim — are legitimate questions
and pass (``DEFENSIVE``). Rules run on the router's matching form (NFKC, 繁→简, lower case, separators
between Chinese characters removed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def any_of(*patterns: str) -> re.Pattern[str]:
    """One case-insensitive pattern matching any of ``patterns`` (each kept as its own group)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_COLLOQUIAL = {
    # 粤语 (after 繁→简)
    "点样": "怎样",
    "点解": "为什么",
    "边度": "哪里",
    "边个": "谁",
    "乜嘢": "什么",
    "咩": "什么",
    "嘅": "的",
    "唔": "不",
    "冇": "没有",
    "咗": "了",
    "喺": "在",
    "佢": "他",
    "哋": "们",
    "睇": "看",
    "揾": "找",
    "搵": "找",
    "畀": "给",
    "俾": "给",
    "啲": "些",
    "咁": "这么",
    "𠮶": "那",
    "嗰": "那",
    "嚟": "来",
    "噉": "这样",
    "稳阵": "稳妥",
    # 吴语
    "侬": "你",
    "阿拉": "我们",
    "哪能": "怎么",
    # 西南官话, 东北话, 北方口语
    "啥子": "什么",
    "咋个": "怎么",
    "咋整": "怎么办",
    "咋办": "怎么办",
    "嘎哈": "干什么",
    "干啥": "干什么",
    "咋": "怎么",
    "啥": "什么",
    "一哈": "一下",
    "得不得": "要不要",
    "俺": "我",
}
_COLLOQUIAL_RE = re.compile("|".join(sorted(map(re.escape, _COLLOQUIAL), key=len, reverse=True)))
_WU_QUESTION = re.compile(r"伐(?=[？?。，,！!]|$)")


_SPLIT_CHARACTERS = {
    "冫水": "冰",
    "亻叚": "假",
    "亻扁": "骗",
    "马扁": "骗",
    "木仓": "枪",
    "扌仓": "抢",
    "讠正": "证",
    "贝有": "贿",
    "贝各": "赂",
    "贝者": "赌",
    "火乍": "炸",
    "艹约": "药",
    "亻俞": "偷",
    "禾兑": "税",
    "覀示": "票",
    "西示": "票",
    "立早": "章",
    "毋母": "毒",
}
"""Step 17: a sensitive character written as its components (冫水 for 冰, 亻叚 for 假, 木仓 for 枪, 立早
for 章): recomposed before matching; the radical forms (冫亻讠扌艹) and these pairs hardly occur in
ordinary text."""
_PINYIN_WORDS = {
    "qiang ?zhi": "枪支",
    "zha ?yao": "炸药",
    "bing ?du": "冰毒",
    "fa ?piao": "发票",
    "fp": "发票",
    "jia ?de": "假的",
    "jia ?zheng": "假证",
    "dai ?ban": "代办",
    "dai ?kao": "代考",
    "hui ?lu": "贿赂",
    "song ?li": "送礼",
    "pian ?bao": "骗保",
    "jian ?ting ?qi": "监听器",
    "tou ?pai": "偷拍",
    "ding ?wei": "定位",
    "fa ?huo": "发货",
    "chuan ?xiao": "传销",
    "gong ?an": "公安",
    "jkg": "健康证",
}
"""Step 17: pinyin or initials for a sensitive word inside a Chinese message (qiang zhi, fp, jia de, dai ban):
read as the word; a message without Chinese characters is left alone (an English word is no pinyin)."""
_SPLIT_RE = re.compile("|".join(map(re.escape, _SPLIT_CHARACTERS)))
_PINYIN_RE = re.compile(r"(?<![a-z])(" + "|".join(_PINYIN_WORDS) + r")(?![a-z])")
_PINYIN_KEYS = [(re.compile(k), v) for k, v in _PINYIN_WORDS.items()]
_HAS_CJK = re.compile(r"[\u4e00-\u9fff]")


def _pinyin_word(found: str) -> str:
    return next(v for k, v in _PINYIN_KEYS if k.fullmatch(found))


_CLAIMED_FOR = r"(申请|救助|补助|补贴|理赔|赔偿|报销|材料|证明|说明|报告)"
_ADMITTED_UNTRUE = (
    r"((房子?|屋|车|店|厂|庄稼|身体|孩子|人)?(其实|实际上?)(房子?|屋|车|店|厂|庄稼|身体|孩子|人)?(都|也|还)?"
    r"(好好的|(根本|压根)?(就)?没(有)?(烧|坏|塌|淹|关|受灾|受损|遭灾|着火|出事|发生|生病|住院)))"
)
"""Step 19: what a document or an application claims (a fire, a flood, an illness), admitted untrue in the
same request (房子其实好好的, 其实根本没受灾): a fraud, whatever the document is called."""


def fold_colloquial(text: str) -> str:
    """Common regional function words (粤语 嘅/唔/点样, 吴语 侬/哪能/…伐？, 西南 咋个/啥子/得不得, 东北
    咋整/嘎哈) in their Mandarin form, on an already normalised (简体, lower case) text; since step 17 also a
    character split into its components recomposed and, in a Chinese message, pinyin for a sensitive word
    read as the word; the rest is unchanged."""
    if not text:
        return text
    text = _WU_QUESTION.sub("吗", _COLLOQUIAL_RE.sub(lambda m: _COLLOQUIAL[m[0]], text))
    text = _SPLIT_RE.sub(lambda m: _SPLIT_CHARACTERS[m[0]], text)
    if _HAS_CJK.search(text):
        text = _PINYIN_RE.sub(lambda m: _pinyin_word(m[0]), text)
    return text


DEFENSIVE = any_of(
    r"举报|检举|揭发|投诉|报案|报警|反映|申诉|维权|求助|起诉",
    # step 20: the consumer complaint channels (网购买到假货 商家不理 消协能管吗), not one dodged (应付12315)
    r"(?<![被躲过开付定])(消协|消费者协会|12315)",
    # step 20: seeing through a con (主角识破了冒充税务局的电话), not being seen through (被识破的细节)
    r"(?<!被)识破|"
    r"识别|辨别|鉴别|分辨|辨认|核验|核实|查验|验证|真伪|真假|(?<![带加有做含印])防伪|是不是(真的|假的|骗子|诈骗|骗局|合法|违法)",
    r"是真的吗|可信吗|靠谱吗|正常吗|合法吗|违法吗|犯法吗|犯罪吗|算不算|算.{0,10}吗|是否(合法|违法|属于)|有没有(政策|法律|规定)|政策规定",
    r"处罚|罚款|保障金|判(几|多少)年|判刑|量刑|刑事责任|法律责任|法律后果|什么后果|有什么后果|会怎样|会被(怎么|如何)|追究|什么罪|构成.{0,4}罪",
    r"防范|防骗|提防|预防|上当|被骗|受骗|骗了|被冒用|冒用了?我|被拐|被人|被别人|被公司|被单位|被辞退|被拒",
    r"怕被|担心被|以免被|会不会被|被说成|被当成",
    r"(听说|发现|看到|遇到|碰到|如果|假如)有人|(?<!没)(?<!有没)有人(?!能|可以|会|帮|愿意|敢)|我发现",
    r"(骂|打|威胁|诽谤|欺负|骗|坑|冒用|盗用|泄露)(了)?我(?!们)|(怎么|如何|怎样)(认定|界定)|认定(标准|条件)|什么是|哪些行为",
    # "…会怎么处理", "收到假币怎么处理？" — not "…怎么处理味道", "怎么处理比较稳" (handling the harmful thing)
    r"(会|将|该|要|应当|应该|一般|部门|机关)(如何|怎么|怎样)(处置|处理|审理|处罚|查处|惩处|整治|打击|认定)|"
    r"(如何|怎么|怎样)(处置|处理|审理|处罚|查处|惩处|整治|打击|认定)(?=[？?。!！,，；;\s]|$|吗|呢|啊|呀)|防控|打击|整治|查处|取缔",
    r"罪(是|的)?(怎么|如何)规定|(法律|法规)?(怎么|如何)规定的?|打什么电话|找哪个部门|哪个部门管|向谁反映|向哪里反映|找谁反映",
    r"接到|收到|遇到|碰到|我该怎么办|怎么办(?=[？?。!！,，]|$)|保护|防止",
    r"仲裁|行政复议|打官司|把我(辞退|开除|解雇|裁|赶|拒|拉黑)|以我.{0,10}为由|被(推销|忽悠|诱导|拉进|骗进|套路|误导)",
    r"(钱|款|费).{0,6}(要回来|追回|退回|拿回)|(官方|正规)的?.{0,10}(从哪|在哪|哪里|哪个|什么渠道|渠道|途径)",
    r"(工资|工钱|欠款|押金|赔偿|补偿|定金|货款|血汗钱).{0,6}(找谁|向谁|跟谁|去哪|到哪|上哪)(要|讨|追|索)",
    r"(交给|交到|报给|提交给?|反映给|打给|联系)(哪个|什么)(部门|单位|机关)|哪个部门(负责|处理|受理)",
    r"防诈|反诈|普法|科普|警示|风险提示|(特征|特点|手法|伎俩|骗术|常见套路)(有哪些|是什么|是啥|有什么)|(还有|有没有)(别的|其他|哪些|什么)(特征|特点|破绽)",
    # step 16: evidence kept for a report (发现…偷排废水，第一步怎么保存证据)
    r"取证|(保存|保留|固定)(好|下)?证据",
    r"(别|不要|切勿|谨防|当心|小心|提防)(相?信|上当|轻信|理会|接)?.{0,6}(冒充|骗|陌生|假冒|诈骗)",
    r"判得?更?(重|轻)|罪.{0,12}(区别|有什么不同|哪个重|哪个轻)|(骗子|诈骗|骗局)(吧|吗|嘛)",
    r"(公司|单位|老板|雇主|中介|房东|别人|有人|对方)(有没有|是不是|是否)(替|给|以|用|拿|冒用|盗用)我",
    # step 12: an earlier answer about a harm taken up again (刚才说的…特征/后果/案例), the lawful way asked
    r"(刚才|上面|前面|之前|承上|接着).{0,20}(特征|特点|后果|责任|案例|破绽|区别|危害)|正规.{0,6}(申请|报销|办理|流程)",
    # warnings written for a group, a seller's concealment or a con suffered, an office handing a case on
    r"提醒.{0,12}(警惕|当心|小心|注意|别|不要)|警惕|提醒.{0,40}(都|全|就)是骗子|(骗子|骗局).{0,16}破绽",
    r"(卖家|商家|店家|车商|中介|房东|对方)(故意)?隐瞒|(让|叫|给)人(忽悠|骗|坑)|(咋整|怎么|如何|能)(才能)?(要回来|追回)",
    r"(真正|正规|真的|官方).{0,24}(和|与|跟|同).{0,24}(区别|差别|不同|区分)|(移交|移送|上报)(给)?(哪个|什么|哪些)",
    # 文言: 欲告于官, 何处可告, 亦论罪乎; money owed back (要退回, 退的时候)
    r"欲告|告于官|告官|何处可?告|(论|定|治|获)罪|罪乎|罚乎|(要|需要|应当|得)退(回|还)|退(回|还)的时候",
)
"""Defensive or informational framing: reporting, recognising, penalties, being a victim."""

_OTHERS = (
    r"(他|她|别人|他人|某人|对方|邻居|同事|前妻|前夫|前女友|前男友|老公|老婆|丈夫|妻子|儿媳|女婿|租客|老师|同学"
    r"|这个人|那个人|机主)"
)

RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "forgery",
        any_of(
            r"照着.{0,8}改一份|改一份出来|(弄|办|搞)(个|一个|张)?.{0,8}证.{0,10}(其实|实际上?)是|吊销了?.{0,10}(弄|办|搞)(个|一个)?新的|一模一样的.{0,6}(文件|模板|公文|红头)|(文号|落款).{0,6}(我)?自己填",
            r"(搞|弄|做|买|刻)(个|一个|枚|一枚)(公章|章)(?!程)|(没|没有)(毕业|上过|读过|考过|学历|资格).{0,12}(弄|搞|办|买|做)|扫码.{0,4}(能|也能)?查到的?(证|证书)|倒闭.{0,12}(盖|章|(?<!学历)(?<!学位)(?<!毕业)证明)|盖个章就行|随便盖个章",
            r"偷盖|私盖|(盗用|偷用|借用).{0,4}(公章|印章)|虚假(证明|材料|报告|合同|发票|流水|信息|资料)|套牌|假牌|遮挡.{0,2}(号牌|车牌)",
            r"假(警察|公安|民警|城管|记者|律师|法官|干部)|高仿|a货|仿牌|(卖|生产|做|进).{0,4}假冒伪劣",
            r"伪造|变造|仿造|仿制(?!品)|仿刻|私刻|造假|做假(?!账)|(?<!弄虚)作假|假冒(?!伪劣)|编造",
            r"(?<![请病休放年婚产事寒暑度真])假的.{0,8}(证|证明|协议|合同|文件|报告|通知|截图|执照|章)|(做|弄|办|搞|造|整)(一个|个|一份|份|张|一张|本)?假的",
            r"(?<![请病休放年婚产事寒暑度真])假的?(公章|印章|章|证|证件|证书|证明|执照|文件|公文|合同|发票|病历|诊断|报告|截图|学历|文凭|学位|户口|身份证|房产证|结婚证|离婚证|驾照|护照|签名|流水|红头|居住证|工作证|记者证|核酸|低保证|残疾人?证|协议)",
            r"(篡改|涂改)|\bps\b|\bp(一下|图|成|到|掉)|修图",
            r"改(小|大|高|低|年轻|早|晚)(\d|[一两二三四五六七八九十几]|点)|改(成|为)?(正常|合格)|改成已|(证|证书|证明|报告|执照|户口本|身份证|驾驶证|驾照).{0,8}改成我的?(照片|名字)|(日期|年龄|面积|金额|分数|成绩|血糖|成立日期|生产日期).{0,6}(改|修改)",
            r"刻.{0,8}(假|私|萝卜|一模一样|一样的)|(萝卜|一模一样).{0,6}(章|刻)|(假|私|萝卜)刻",
            r"(买|弄|搞|做|生成|办)(到|一?[张个份本套])?.{0,6}(空白的?|假的?)(证|证明|发票|合同|出生|公章|章)",
            r"模仿.{0,8}签名|冒签|代签.{0,4}(名|字)|生成.{0,8}(公证书|证明|证书|执照|印章|公章)",
            r"(报告|证明|记录|材料|账|单据|流水|合同).{0,20}(怎么|如何)补出来",
            r"(做|弄|刻|仿)得(像|逼真)|(自己|私自).{0,6}(补写|补签|补盖|补开)",
            r"(办证|做证|办假证|买证|证件).{0,6}(渠道|加我|v信|vx|微信|qq|私聊)",
            # step 16: a credential made to order or imitated, a medical record for what did not happen
            r"(定做|定制|订做|代做|仿做)[^。？?！!]{0,10}(钢印|毕业证|学位证|学历证|文凭|结婚证|离婚证|驾照|驾驶证|身份证|房产证|不动产证|出生证)",
            r"(证|证书|证件|证明|执照|公章|印章|驾照|护照|文凭)(要|该)?(怎么|如何|怎样)(才能)?仿(?![佛照写效真])",
            r"(没|没有)(做|动)?(手术|住院)[^。？?！!]{0,20}(补|开|做)(个|一个|一份|份|张)?(手术|住院)(记录|证明|病历)",
        ),
    ),
    (
        "impersonation",
        any_of(
            r"(用|盗用|借用)(政府|官方|公安|国徽|党徽)的?(logo|标志|标识|名义|抬头)|政府合作单位|说自己是.{0,8}(主任|局长|科长|领导|干部|工作人员|拆迁办|街道)",
            r"(假称|谎称|声称|说)自己是.{0,10}(社保|税务|公安|警察|政府|局|中心|工作人员|干部)|(看着|看起来|显得)像(官方|政府)|人民政府发布|冒充志愿者",
            r"装作.{0,8}(工作人员|警察|民警|干部|官员|公务员|领导)|充当.{0,8}(工作人员|警察|民警|干部|官员)|穿.{0,6}(制服|工作服).{0,8}(冒|装|假|去)",
            r"冒充|假扮|冒名|扮成|装成|伪装成|假装(是|成)?.{0,8}(警|公安|税务|法院|检察|纪委|政府|街道|社保|医保|人社|城管|交警|消防|海关|民政|监管|工作人员|干部|官员|客服|记者|热线|村委|居委|教育局)",
            r"以[^，。？]{0,16}(政府|局|委|办|厅|院|所|部|中心|热线|会|机关|官方)[^，。？]{0,3}(名义|口吻)",
            r"冒用.{0,10}(名义|身份|公章)|借.{0,6}(制服|警服|证件|工作证|警官证)",
            r"(模仿|仿照|假借).{0,6}(公安|政府|法院|检察|税务|纪委|机关).{0,4}(口吻|名义|格式)",
            r"警服|警号|仿冒.{0,10}(网站|网页|平台|官网|app)|(假|仿)的?(政府|官方|政务)(网站|网页|平台|官网)",
            r"穿.{0,8}(像|仿).{0,4}(城管|警察|执法|交警|公安|税务|工商|市场监管)|(像|仿)(城管|警察|执法|交警)的?(衣服|马甲|制服|服装)",
        ),
    ),
    (
        "bribery",
        any_of(
            r"会.?办事.?的?(中间人|人)|中间人|送.{0,3}(两条烟|烟|酒|茅台)|(烟|酒).{0,8}(撤|消|免)|找谁(打点|送|疏通)",
            r"收钱办事|表示(一下|表示)|拜个年|酬谢|暗示(他|她|对方|评委|专家)|给.{0,6}好处",
            r"(找|(?<!委)(?<!受)托)人.{0,4}(办|批|过|搞定|通融)|通融|打(个)?招呼.{0,6}(批|过|关照|通过)|内部价",
            r"买通|收买|摆平|公关费|感谢费|(给|发).{0,8}红包.{0,10}(审批|科长|局长|窗口|领导|医生|老师|警察|干部|评委)",
            r"(?<![运输发递传护赠欢接押])送(礼|钱|红包|购物卡|卡|点|多少|什么|几)|塞(钱|红包|个|点|了)|给.{0,8}塞|行贿|贿赂|好处费|回扣|意思意思|打点|疏通",
            r"走后门|后门|(?<!委)(?<!受)(?<!信)托(关系|人)|找关系|走关系|靠关系|拉关系|搞好关系|门路|门道|路子|关系户",
            r"花钱.{0,6}(买|办|包|让|消|走|插|加急)|(?<![没不])(给(?!(?<=[能以多高月次]给)多少钱)|塞).{0,8}(钱|红包|好处|辛苦费|感谢费)|包过|重谢|好处怎么给|必有重谢",
            r"(买|弄).{0,4}(编制|指标|名额)|插队|特事特办.{0,8}(钱|不是问题)|钱不是问题",
            r"请.{0,10}吃饭.{0,10}(通过|帮忙|批|验收|关照)|睁一只眼闭一只眼|高抬贵手",
            r"(评委|评审|审批的?人|经办人).{0,24}(带|送|拿|提)(点|些|上)?(土特产|特产|礼|东西|烟|酒|茶|购物卡|红包)",
            r"要意思|意思一下|(暗示|话里话外|言外之意).{0,10}(意思|懂事|表示|好处|辛苦)",
            # step 16: a kickback offered to the assistant or its office (按单给你们返点, 每单分你们两成)
            r"(给|分|返)(你|你们)(平台|客服)?.{0,4}(返点|提成|回扣|好处|分成|[一两二三四五]成)",
        ),
    ),
    (
        "fraud",
        any_of(
            r"(看起来|显得|伪装成)像?正规|拆成.{0,4}(几|多|两)次.{0,4}(报|领)|报得更多|再(报|领)一次|重复(报销|申报|领取)",
            r"(没|没有)(生病|病|残疾|怀孕|失业|离婚|住院).{0,12}(开|办|弄|申请|领)|(报成|报为|说成|写成|弄成|算成)(低保|贫困|残疾|特困|独居|困难)|其实.{0,4}(条件)?还(可以|行)|其实不符合|过户给.{0,10}(然后|再).{0,10}(申请|领)",
            r"薅羊毛|挂床|虚增|虚列|多开(药|发票|证明)|挂名.{0,6}(领|拿)|吃空饷|吃空额|(买卖|出租|出借|收购).{0,4}(银行卡|电话卡|手机卡|账户|对公账户)|跑分|伪基站|短信群发器|黑卡",
            r"骗税|骗退税|碰瓷|虚假诉讼|假结婚|骗婚|冒名顶替|顶替.{0,6}(上学|入学|工作|名额)|替考|枪手|套路贷|裸贷|暴力催收",
            r"骗(取|领|保|补|贷|钱|过|老人|消费者|客户|人|他|她|政府|国家)|骗.{0,6}(老人|群众|客户|消费者)|诈骗|骗局|忽悠|坑(人|钱|客户|老人)|套路(人|老人)",
            r"让(人|客户|他们|老人|对方|大家|群众)(觉得|以为|误以为|相信)|话术.{0,12}(客户|老人|对方|群众|收|钱|交)|(客户|老人|对方|群众).{0,12}话术",
            r"(写|评|定|开|报|弄)成.{0,3}[一二三四1-4]级",
            # step 19: not a made-up example for a template (内容用一个虚构的…例子)
            r"冒领|虚报|虚构(?!的?[^，。？！,.?!]{0,8}(例子|案例|示例|范例))|谎报|瞒报|隐瞒.{0,10}(收入|财产|车|房|情况|病)|假离婚|装病|假装(残疾|贫困|独居|生病|孤寡|困难)",
            # step 19: not "at most" (最多领几个月, 最多能报多少)
            r"套取|(?<![最至])(多领|多报|多拿|多算|多分|多评)|重复领|(?<!能)(?<!可以)同时领|(?<!能)继续领|(去世|死|已故|死亡|走了|过世|不在了).{0,16}(继续|还|接着)(领|拿)|(户口|户籍).{0,6}留着",
            r"(去世|走了|过世|死了|不在了|已故).{0,24}(卡|钱|养老金|补贴|工资|抚恤).{0,12}(取着|领着|拿着|收着|先取|先领|先拿|先收)",
            r"(收入|财产|存款|资产|家庭情况).{0,6}(写|报|填|说)(低|少|小)|不存在的(员工|人)|空挂|(编|捏造).{0,4}(贫困|病|车祸|故事|理由|说法|证据|材料)|(我|家|条件)其实(没|不|在|还)",
            # step 19: what an application claims, admitted untrue (房子其实好好的, 其实根本没受灾)
            rf"{_CLAIMED_FOR}.{{0,30}}{_ADMITTED_UNTRUE}|{_ADMITTED_UNTRUE}.{{0,20}}{_CLAIMED_FOR}",
        ),
    ),
    (
        "daiban_scam",
        any_of(
            r"只有(我|我们|我这|我这里)(能|可以)(办|约|预约|拿到|抢到)|帮.{0,6}免审",
            r"不看条件|交钱就(行|能办|给办|包)|其实就是正常办|引到我们|(政务服务|政府).{0,4}代办中心",
            r"号贩子|倒号|倒卖.{0,4}号|(卖|转卖).{0,4}(预约号|号源)",
            r"(?<!打)包办|保证(批|过|通过|下来|能办|拿证)|(走|找)内部|内部(渠道|关系|指标|人员|门路)|特殊渠道|不成功不收费",
            r"无需本人|不用本人|不需要本人到场.{0,10}(加急|包)|不用考试|无需体检|不用体检|代考|黄牛|抢(光|号|完).{0,10}(卖|加价|高价)|高价卖",
            r"加急费|疏通费|辛苦费|保证金.{0,6}(才能|先交)|代办(费|公司|员).{0,12}(多收|骗|收钱|收费两|包|广告|文案|话术)",
            r"(必须|要|得)(交|缴)(费|钱).{0,10}代办|代办.{0,10}(必须|要)(交|缴)(费|钱)|必须找我们|不交钱.{0,10}(卡|办不|不给)|代办.{0,10}(政府|官方)指定",
            r"拉客|蹲点|(政府|官方)指定.{0,6}代办|冒充.{0,8}(官网|政府)",
        ),
    ),
    (
        "evasion",
        any_of(
            r"(怎么|如何|教我)隐瞒|隐瞒.{0,12}(记录|处罚|兼职)|说是别人(家)?的|嫁祸|推到别人|躲(哪|起来|一下)|伪装成.{0,8}(临时|合法|正规|普通)",
            r"应付(一下|过去|检查)|临时(堵上|拆掉|藏起来|撤掉).{0,6}应付|检查(的时候|时)怎么(说|办|应付)|不用年检|避免被(查|罚|发现)|不报(工伤|备案|税)|少交(点|些)?税|私了.{0,6}不报",
            r"瞒过|蒙混|混过去|混过关|看不出|发现不了|察觉不到|暗中",
            r"洗白|(删|消|销|抹)(掉|除|去)?.{0,4}(案底|违章记录|犯罪记录)|打擦边球|不交罚款|逃(离|出)(监管|检查)",
            r"躲(避|过|掉|开)|逃避|逃(税|掉|过|单)|规避|绕(过|开)|避开|糊弄|应付.{0,6}(检查|抽查|监管|执法|审查|检测)",
            r"不被.{0,4}(查|发现|罚|抓|拍|告|封|下架|拆|注意|追究)|查不(出|到)|不留(痕迹|证据)|神不知鬼不觉|不露馅|不惹麻烦",
            r"又不(算违法|违法|被|会被|用担|留|交|缴|给)|找不到把柄|钻.{0,2}空子|漏洞|(拆|管|查|罚|抓)不了",
            r"偷偷|悄悄|瞒着|藏起来|隐藏(境外)?(收入|财产|隐患|问题)|先(盖|开业|建|干|上车).{0,4}再|不办(证|许可证|手续|审批)|无证(经营|行医|驾驶|诊所)?.{0,6}(怎么|不被|应付)",
            r"(限高|限制高消费|失信|老赖|黑名单|被执行).{0,24}(用|拿|借).{0,8}(身份证|名义|身份|账户|名字)",
            r"(罩|盖|挡|遮|蒙).{0,6}(监测仪|监测设备|传感器)|让.{0,6}数据.{0,4}好看",
            r"作弊|屏蔽.{0,6}(监测|监控|数据)|(电表|水表).{0,4}走慢|改个名字.{0,8}(查不|政审)|转移.{0,6}财产|偷排|直接排|排进河",
        ),
    ),
    (
        "commercial",
        any_of(
            r"其实没(认证|检测|资质|许可)|(钱收了|收了钱).{0,8}(关店|跑|走人)",
            r"资金盘|夸大.{0,4}(疗效|功效|效果)|公司的钱.{0,10}(自己|个人)|仿的?(名牌|品牌|大牌)|不会被(平台|查|封)",
            r"刷(流水|量|粉|赞|销量)|虚假宣传|夸大宣传|假货|假酒|假药|注水肉|以次充好|短斤少两|缺斤短两|偷工减料|囤积居奇|哄抬|挂证|出借资质|借资质|资质挂靠|转包|违法分包|陪标|抽逃出资|虚假出资|恶意注销|假破产|逃废债|地下钱庄",
            r"(怎么|如何|有什么办法|教我|能不能).{0,6}(不给|不发|拖着|克扣|少发|扣).{0,6}(工资|薪水|工钱|社保)",
            r"挪用|侵占|贪污|套取公款|高利贷|偷电|偷水|非法经营|无照经营.{0,6}(怎么|不被)",
            r"虚开|开假发票|假发票|两套账|假账|偷税|漏税|逃税|洗钱|走账|套现|传销|拉人头|非法集资|(搞|做|组织|拉人).{0,4}集资",
            r"刷单|刷好评|好评截图|假好评|盗版|山寨|盗用.{0,8}(商标|品牌|图片|作品)|抄.{0,8}(技术|资料|商标|作品)|(偷|窃取|窃|套取|获取|拿到|挖).{0,8}(商业秘密|核心技术)",
            r"围标|串标|倾销|垄断|吃差价|空壳公司|三无|地沟油|过期的?(食品|药|商品|产品|货).{0,8}(改|卖|换|包装)|卖过期|改.{0,4}生产日期|退市的?药",
            r"能治(癌|病|百病|高血压|糖尿病)|高额回报|年化\d+%|博彩|赌博|返水|跑路|(买卖|出售|倒卖|卖掉|打包卖|买到|收购).{0,10}(个人信息|公民信息|身份证|联系方式|电话号码|客户信息|快递信息|名单)",
            r"(没|未)(检|检测|做|验)?.{0,4}(出|开).{0,6}(合格|报告)|实际没检|埋.{0,4}坑|去掉水印|侵权(?!怎么|了)",
            r"(私人|凑钱|拉人|朋友).{0,4}放贷|利息按月[二三四五六七八九十]分|月息[二三四五六七八九十]分|砍头息",
            r"(当|冒充|充当|假装成?)(成)?(新货|全新的?|新品|正品|原装)|换.{0,4}(外箱|包装|标签|外包装).{0,10}(卖|发|当|冒充)",
        ),
    ),
    (
        "rights",
        any_of(
            r"黑(掉|进)|截图.{0,4}(加工|改)|(加工|篡改).{0,4}(截图|聊天记录)|住的是谁|住着谁|是谁住",
            r"业主的?(姓名|名单|电话|房号)|破解.{0,8}(手机|密码|微信|账号)|跟谁聊天",
            r"曝光.{0,6}(隐私|信息|住址|照片|电话)|(照片|信息|住址|电话|视频).{0,6}(发到|挂到|曝光到|贴到)网上|鉴定.{0,4}性别|胎儿性别",
            r"盗号|盗取|黑进|入侵.{0,6}(系统|账号|网站|数据库)|社工库|撞库|偷(录|听)",
            r"人肉|开盒|装.{0,4}定位|定位(他|她|别人|对方|老公|老婆)|跟踪(他|她|别人|对方|前|老|某|人)|偷拍|偷看|偷窥|窃听|监听|隐藏的?摄像头|针孔|破解.{0,10}(账号|密码|系统)",
            rf"{_OTHERS}.{{0,8}}(行踪|开房记录|聊天记录|征信|户籍信息|病历|出入境|存款|收入|住址|家庭住址|住哪|手机号|电话|身份证号|工作单位|个人信息|真实姓名)",
            r"(他|她|对方|老公|老婆|前妻|前夫|前女友|前男友)的?(微信|位置|聊天|照片|短信|通话记录)",
            r"(查|调|拿到|获取|弄到|搞到|找出).{0,12}(行踪|开房记录|聊天记录|征信报告|病历|出入境记录|真实姓名|机主|车主|户籍信息)",
            r"(全市|本小区|业主|新生儿家长|低保户).{0,8}(名单|电话|联系方式|住址)|电话号码表",
            r"(网名|账号|手机号|车牌号?).{0,8}(背后|真人|真实身份|是谁|机主)|捡(到|的).{0,8}(身份证|银行卡).{0,12}(用|办|贷|注册)",
            r"(裸照|隐私|不雅).{0,10}(发|散布|网上)|p到.{0,6}不雅|威胁|恐吓|吓唬|(?<!通)报复(?!工)|网暴|造谣|诽谤|抹黑|散布消息|散布谣言",
            r"用(别人|他人|捡到)的.{0,10}(名字|身份证|身份|名义)|冒用.{0,6}(别人|他人)|当成自己的",
        ),
    ),
    (
        "discrimination",
        any_of(
            r"一律不(准|许)进(村|小区|门)",
            r"(外地人|外来人|租房的|少数民族|农民工).{0,10}(清出去|清走|额外登记|单独登记)|(清出去|清走).{0,6}(外地人|外来人)",
            r"劣等|低等|下等|低人一等|滚出|驱逐|赶走|不欢迎.{0,6}(人|族)|(只限|仅限)(男|女|本地|汉族|未婚)",
            r"歧视|地域黑",
            r"((?<!要)不要(?!(哪些|什么|啥|些什么)(材料|手续|证件|证明|资料|文件))|不招|不收|不租|不让|不带|不给|拒绝|谢绝|禁止|别来|筛掉|淘汰|挑出来|避开|排除|劝走|赶出|辞退|裁掉|先裁|只招|只要(?!(关键词|关键字|要点|结论|答案|一句话|简短|简单|步骤|模板|开场白|标题|大纲|回答|说|讲|告诉|写))|限|压得更低).{0,14}"
            r"(民族|族人|少数民族|回族|维吾尔|藏族|新疆人|新疆籍|河南人|河南籍|东北人|东北籍|安徽人|安徽籍|外地人|外地户口|外省人|外来务工|外来人员|农村人|农村户口|农村的人|乙肝|艾滋|hiv|残疾|盲人|轮椅|孕妇|怀孕|女性|女的|女人|女生|女员工|男性|男的|男人|已婚|未育|35岁|老年人|纹身|矮个|离过婚|宗教|信仰|信教|前科|刑满释放|外姓|穷人|同性恋|跨性别|抑郁|农民工|外卖骑手|籍贯|嫁出去|\\d+岁(以上|往上|及以上)|[二三四五六七]十[五]?岁(以上|往上)|超过(\\d+|[二三四五六七]十[五]?)岁|大龄)",
            r"(民族|回族|新疆人|河南人|东北人|外地人|农村人|女人|老人|老年人|穷人|残疾|同性恋|贫困户|少数民族).{0,10}(不配|素质低|素质差|都是|天生|活该|负担|小偷|强盗|骗子|傻子|精神病|懒)",
            r"素质(低|差|排行)|天生不适合|骗子之乡|嘲笑|嘲讽|挖苦|侮辱|羞辱|歧视性|劝走|单独分班|限本地人",
            r"(民族|族人|少数民族|回族|维吾尔|藏族|新疆人|新疆籍|河南人|河南籍|东北人|东北籍|安徽人|安徽籍|外地人|外地户口|外省人|外来务工|外来人员|农村人|农村户口|农村的人|乙肝|艾滋|hiv|残疾|盲人|轮椅|孕妇|怀孕|女性|女的|女人|女生|女员工|男性|男的|男人|已婚|未育|35岁|老年人|纹身|矮个|离过婚|宗教|信仰|信教|前科|刑满释放|外姓|穷人|同性恋|跨性别|抑郁|农民工|外卖骑手|籍贯|嫁出去|\\d+岁(以上|往上|及以上)|[二三四五六七]十[五]?岁(以上|往上)|超过(\\d+|[二三四五六七]十[五]?)岁|大龄).{0,16}"
            r"(挑出来|淘汰|筛掉|(?<!要)不要(?!(哪些|什么|啥|些什么)(材料|手续|证件|证明|资料|文件))|禁止|赶出|劝走|辞退|不招|不租|不得|不该|不配|收回|取消|走人|别来|不考虑|一律不)",
            r"只(想|愿意|打算)(要|租|招|卖|雇|收)给?(本地人|男的|男性|男生|女的|女性|汉族|未婚|年轻)|只(租|招|卖|雇|收)给?本地人",
            r"(找|编)(个|一个|些|几个|几条)?(借口|理由).{0,12}(走人|辞退|开除|赶走|搬出|拒绝|裁|不该|不配)",
            r"(不能是|不要是|不能来自).{0,6}(某个)?(省|地方|民族)",
        ),
    ),
    (
        "core_values",
        any_of(
            r"动手(打)?|打(城管|警察|执法)|领导人.{0,6}(p成|恶搞|搞笑|丑化)",
            r"(假|虚假)(通知|公告)|逗逗大家|恶作剧.{0,6}(通知|消息)|管制(刀具|器具|弹弓)|钢珠|(搞|组织|发起)(个|一个|一场)?(集会|游行|示威).{0,10}(反对|抗议)|号召书|骂领导",
            r"偷渡|走私|贩卖|拐卖|绑架|勒索|敲诈|诬告|诬陷|陷害|栽赃|作伪证|伪证|串供|销毁证据|袭警|逃逸",
            r"盗采|盗伐|私挖|偷猎|捕杀|穿山甲|象牙|野生动物.{0,6}(买|卖|吃)|卖淫|嫖|自制.{0,6}(枪|炸|毒|弹)|汽油弹|泼.{0,2}(硫酸|汽油|油漆)|打人|弄死|弄残|教训(他|她|一下)|找人(打|砍|收拾)|拉横幅.{0,6}(施压|闹)",
            r"台独|藏独|疆独|港独|反华|辱华|暴恐|自杀|轻生|自残|宣扬.{0,4}(邪教|恐怖|极端|暴力|迷信)|(攻击|诋毁|丑化|辱骂).{0,8}(国家|政府|领导人|党|制度)|反党|木马|ddos|病毒程序|(攻击|瘫痪).{0,6}(网站|系统|服务器)",
            r"麻黄碱|麻黄素|(提炼|提纯|提取|熬制)[^。？?！!]{0,10}(冰毒|麻黄|可卡因|吗啡|海洛因)|炸药|炸弹|爆炸物(?!品)|燃烧瓶|雷管|(买|弄|做|造).{0,6}枪|枪(?!支持有)(?=.{0,6}(打响|卖|买|哪))|管制刀具|毒品|冰毒|海洛因|大麻|摇头丸|迷药|昏迷的药|下药|投毒",
            r"纵火|放火|杀人|砍人|报复社会|伤亡|恐怖(袭击|分子|主义)|恐袭|极端组织|圣战|分裂|独立出去|搞独立|颠覆|推翻|反政府|反动|暴乱|暴动|暴力(对抗|抗法)",
            r"(组织|号召|煽动|鼓动|约).{0,10}(游行|示威|闹事|静坐|上街|堵|冲击|围攻|讨说法)|(去|集体|带头|上门).{0,8}闹(事)?|堵(路|高速|门|政府)|煽动|鼓动",
            r"谣言|假新闻|假消息|造谣|邪教|翻墙|色情|黄色小说|淫秽|性内容|侮辱国旗|国旗国徽|(否定|嘲讽|侮辱|诋毁|抹黑|丑化|恶搞|调侃).{0,8}(英烈|烈士|英雄)|大屠杀|歌颂分裂|赞美恐怖",
            r"散布|散播|让更多人信|政府.{0,6}(在|一直)?瞒",
            r"越(吓人|激烈|尖锐|恐慌|逼真|狠)越好|人越多越好|带上(锄头|刀|棍)|恐慌",
        ),
    ),
)

OVERRIDE = any_of(
    # step 20: not the speaker's own complaint after a refusal (不让我入职 我该找哪投诉)
    r"没法.{0,6}(投诉|举报|维权|告)|不让(?:(?!我(该|能|要|想|可以|应该|去)).){0,8}(投诉|举报|维权|告)|(别|不)让.{0,6}(发现|知道)",
    r"(怎么|如何|教我|帮我|想)(在.{0,8})?隐瞒.{0,12}(处罚|案底|犯罪记录|失信)|不被.{0,4}(发现|查|追究|举报|投诉|告|拦)|又不(违法|被告|算违法)|(?<!官网)(?<!官网上)(?<!网站)(?<!网站上)查不(出|到)",
    r"(多交|多收|多付|多给).{0,4}(点|些)?钱|让(他们|客户|老人|对方).{0,4}多(交|付|出)",
    r"(网名|账号|手机号|车牌号?).{0,8}(背后|真人|真实身份|是谁|机主)",
    r"(查|找出|知道|打听).{0,8}(举报人|谁举报)|举报了?我的(人)?是谁|扒出来|人肉|(照片|学校|单位|住址).{0,10}发到(群|网上)",
    r"不被.{0,4}(删|封|屏蔽)|(做|办|弄|搞).{0,10}(证|章).{0,16}(怎么联系|联系方式|加我|哪里能)",
    # step 16: keeping a report or complaint from coming (怎么防举报, 防着品牌方投诉), not 防止/防范
    r"(?<![消预国边海])防(?![止范骗诈])(着|住)?[^。？?！!，,怎如]{0,5}(举报|投诉)(?!.{0,4}(电话|渠道|方式|人))",
    r"才(能)?(不会|不至于|不)被.{0,4}(投诉|举报|查|发现|告|罚|抓|封|处罚)|"
    r"没人(查|管|发现|知道|核实|核对|注意)吧|(不会|没)有人(查|管|发现|知道)吧|(说法|说辞|谎话?|故事|身份).{0,4}(怎么|如何)(说|讲)?(才)?圆|圆(过去|谎|回来)",
    # "…怎么存不会被税务发现", "…不会被查到吧": concealment without 才 (会不会被查到 is a worry, not a plan)
    r"(怎么|如何|怎样|咋|办法|保证|确保|能让|才能)[^。？?！!]{0,20}(?<!会)(?<!是)(?<!就)不会被.{0,6}(查到|查出|发现|抓|拆|罚|追究|举报|封)",
    r"(?<!会)(?<!是)(?<!就)不会被.{0,6}(查到|查出来?|发现|抓到?|罚)吧",
)
"""Harm that no defensive word in the same message excuses ("…又不被他告", "…没法去投诉")."""

_PLAN_HANDLING = re.compile(
    r"(怎么|如何|怎样|咋)处理(一下)?[^。？?！!]{0,6}(才(不|能|好|看)|能(继续|接着)|接着(用|卖)|再(卖|用|发)|比较稳(?!妥)|好看|不留)"
    r"|(先|就|能不能|可不可以)不(退|还|上交)(回去)?.{0,4}(花|用|留)"
    # step 15: a case of harm to be imitated (刚才那个骗保的案例，教我照着做一遍) — not 对照着 (checking)
    r"|(案例|做法|手法|套路|骗术|伎俩).{0,16}(?<!对)照着(做|办|弄|来|干|操作|搞)"
)
""""…怎么处理才好看", "…怎么处理能继续卖": handling the harmful thing, not how the authorities handle it;
"…案例，教我照着做" (step 15): imitating it. Refused only when a rule names the harm."""

LAWFUL_ACCESS = re.compile(
    r"律师|法院|起诉|诉讼|立案|原告|被告|仲裁|继承|遗产|监护|委托|代理人|授权书|公证|债权人|被执行人|调查令|依法|"
    r"手续|程序|(什么|哪些)材料|同意吗|有没有规定|有规定|合法吗|违法吗|有权"
)
"""Whether and how someone may lawfully obtain another person's records (a lawyer, a court, an heir, an agent,
the procedure or consent asked about): a question about the law, not a request for the data."""
DIRECT_ASK = re.compile(
    r"(帮我|给我|替我|帮忙)(一下)?(查|调|找|看|搜|弄|问|打听)|告诉我|发我|发给我|你(能|可以|帮|给|去)|你们(系统|那|这)"
)
"""The assistant asked to produce the data itself (帮我查…, 告诉我…, 你们系统里…)."""


_RECORDS = re.compile(
    r"信息|住址|地址|住哪|下落|存款|财产|记录|户籍|征信|身份证|(?<!打)电话|工作单位|学籍|档案"
)


def lawful_access(matching_text: str) -> bool:
    """A question about lawful access to another person's records, not a request for them."""
    return bool(
        LAWFUL_ACCESS.search(matching_text)
        and _RECORDS.search(matching_text)
        and not DIRECT_ASK.search(matching_text)
    )


_LOOKUP = re.compile(
    r"(查|调|找|告诉我|给我|发我|知道|弄到|拿到|获取|问到|搞到)[^。？?！!]{0,16}?"
    r"(?<!局的)(?<!中心的)(?<!窗口的)(?<!热线的)(?<!部门的)(?<!单位的)(?<!医院的)(?<!机构的)"
    r"(身份证号码?|手机号|(?<!打)电话(号码)?|住址|住哪|住处|家庭住址|工作单位|新单位|单位|在哪上学|学校|户籍信息|开房记录|行踪|存款|征信|病历|聊天记录|出入境记录)"
)
_OTHER_PERSON = re.compile(_OTHERS + r"|户主|他们家|人家|亲戚|欠款人|前任")
_OWN = re.compile(r"我的|本人|自己|我名下|我家|我自己")
_QUOTED = re.compile(r"[“\"「『][^”\"」』]*[”\"」』]")

OWN = _OWN
"""One's own records (我的, 本人, 自己 …)."""
OTHER_PERSON = _OTHER_PERSON
"""Another person named (他, 邻居, 前妻, 亲戚 …)."""
QUOTED = _QUOTED
"""A quoted payload (its defensive words do not count)."""

_LAWFUL = re.compile(r"继承|遗产|遗嘱|监护|赡养|委托书|授权书|公证")
LAWFUL = _LAWFUL
"""A relative's money or records asked about as an heir, guardian or authorised agent."""

_RELAYED = re.compile(
    r"(我|俺)(妈|爸|母亲|父亲|奶奶|爷爷|外婆|外公|姥姥|姥爷|婆婆|公公|岳母|岳父|老人|家里老人|儿子|女儿|闺女)"
    r"(让|叫|托|要)我.{0,2}(帮(她|他)?)?(问|咨询|打听)"
)
_THIRD_PARTY = re.compile(_OTHERS.replace("(他|她|", "(") + r"|户主|他们家|人家|亲戚|欠款人|前任")
"""Another person than the relative who relayed the question (他 and 她 there are that relative)."""

_SPACES = re.compile(r"\s+")
"""Telegraphic messages space their words (骗子的电话 特点 是什么): a defensive phrase may span a space."""

_LICENCE = re.compile(r"许可|资质|审批|备案|登记|经营|运输|申领|持有证|申请|办理|驾驶证")
"""Licensed trades whose names hold risky words (民用爆炸物品, 剧毒化学品): a licence question passes."""


_ASKED_OF_OFFICE = any_of(
    r"打(12345|110|12315|12331|12365|12369|12388|96315)(有用|管用|管不管|行不行|可以吗|能不能|还是)",
    r"(还是|要|该|应该)(直接)?(打|拨打?)(12345|110|12315|12331|12365|12369|12388|96315)",
    r"(一般|会|要|能|该)(被)?(怎么|如何)判(?![断别定])|判(多久|多重|得重吗)",
)
"""Step 14: a hotline weighed for a report (打12345有用吗，还是直接打110) and a sentence asked about
(伪造公章被抓了一般怎么判) — reporting and the penalty, framings the rules already excuse in other words;
kept apart from ``DEFENSIVE`` because the classifier reads that pattern as a cue."""
_ASKS_FOR_HELP = re.compile(r"帮我|教我|给我|替我|帮忙")
"""A request for help with the act itself (帮我刻个假公章…一般怎么判): no excuse by ``_ASKED_OF_OFFICE``."""
_GAMING_ROOM = re.compile(
    r"(棋牌室|麻将馆|棋牌馆).{0,30}(手续|许可|执照|备案|合法经营)|(手续|许可|执照|备案|合法经营).{0,30}(棋牌室|麻将馆|棋牌馆)"
)
_NOT_GAMBLING = re.compile(
    r"(不算|不属于|不构成|不涉及|不涉嫌|避免|区分|界限|界定|区别)(是|成)?赌博|赌博.{0,4}(界限|界定|区别)"
)
"""Step 14: a licensed game room asking where gambling begins (开个棋牌室…怎么才不算赌博)."""
_CLOSED_SCHOOL = re.compile(
    r"(学校|院校|大学|学院|中专|技校|职校|高中|初中)(已经|早就|早已|已)?(倒闭|停办|关门|撤销|撤并|合并)"
)
"""Step 15: a closed school's certificate or proof asked about (毕业学校倒闭了，怎么补证明): the education
authority reissues it."""
_NOT_DISCRIMINATING = re.compile(
    r"(合规|合法|依法)[^。？?！!]{0,4}不歧视|避免(构成|出现|涉嫌)?(就业)?歧视|防止(就业)?歧视|反(就业)?歧视|不得歧视"
)
"""Step 15: asking how to stay clear of discrimination (招聘公告怎么写才合规不歧视)."""


@dataclass(frozen=True)
class NarrowExcuse:
    """A lawful context of one rule's word: the rule's ``category``, the ``context`` patterns that must
    all match, and the ``removed`` word. A message is excused when no help with the act is asked
    (``_ASKS_FOR_HELP``) and the rule matches nothing once every ``removed`` is taken out."""

    category: str
    context: tuple[re.Pattern[str], ...]
    removed: str

    def excuses(self, category: str, pattern: re.Pattern[str], text: str) -> bool:
        """Whether this excuse lets ``text`` past ``category``'s ``pattern``."""
        return (
            category == self.category
            and all(p.search(text) for p in self.context)
            and not _ASKS_FOR_HELP.search(text)
            and not pattern.search(text.replace(self.removed, ""))
        )


_PROPER_WAY = re.compile(r"(正确|正规|合法|正当|官方)的?(路子|门路|途径)")
_LAWFUL_REDRESS = re.compile(r"上访|信访|反映|投诉|申诉|维权|复议|起诉|仲裁")
"""Step 17: the proper way (正确的路子) of a petition, a complaint or an appeal: 路子 asks for the channel,
not for a connection."""

_OWN_MISTAKES = re.compile(r"(常见|容易犯|易犯|最容易犯|常犯)的?[^。？?！!]{0,8}(错误|失误|误区)")
"""Step 20: the common mistakes of an application or a check-in, listed so that one avoids them (避开):
one's own slips, not an inspection evaded."""
_OWN_RECORD_MISSING = re.compile(
    r"^(?!.*(让|使|才能|做到|确保|保证|弄得|搞得).{0,12}查不)"
    r".*(我|自己|本人)的?[^。？?！!，,]{0,6}(学籍|学历|记录|信息|档案|社保|公积金|成绩|证书|缴费|缴存|参保)"
    r"[^。？?！!，,让使]{0,10}查不(到|了)"
    # step 23: the rule that one sees one's own record and not others' (查自己的公积金缴存记录，别人的查不了)
    r"|^(?!.*(让|使|才能|做到|确保|保证|弄得|搞得|删|改|藏|隐瞒|销毁|抹掉|清除))"
    r".*(自己|本人)的?[^。？?！!，,]{0,6}(学籍|学历|记录|信息|档案|社保|公积金|成绩|证书|缴费|缴存|参保)"
    r"[^。？?！!]{0,10}[，,](别人|他人|其他人)的(就)?查不(到|了)"
)
"""Step 20: one's own record that cannot be found (我自己的学籍查不到), not a trace to be made unfindable;
step 23: the rule that one sees one's own record and others' not (只能查自己的缴费明细，别人的查不了)."""
_NOT_FOUND = re.compile(r"查不(到|了|出)")
_GENUINE_CHECKED = re.compile(
    r"^(?!.*(以假乱真|蒙混|糊弄|过关|看不出|查不出|(买|办|做|弄)了?(个|张|本)?假))"
    r".*(查|验|核验|辨别|鉴别|分辨|核实)[^。？?！!]{0,4}(我|自己|本人|我家|我们家)[^。？?！!]{0,12}"
    r"(证|证书|房产证|不动产权证|毕业证|驾驶证|执照)[^。？?！!]{0,8}(是真是假|真假|真伪|是不是真的|是真的)"
)
"""Step 23: one's own certificate checked for being genuine (你上面说假证会被查，那我怎么查我房子的证是
真是假): the 假证 is what was warned of, not a request for one; not when a fake was bought or made, or should
pass."""

NARROW_EXCUSES = (
    NarrowExcuse("commercial", (_GAMING_ROOM, _NOT_GAMBLING), "赌博"),  # step 14
    NarrowExcuse("forgery", (_CLOSED_SCHOOL,), "倒闭"),  # step 15
    NarrowExcuse("discrimination", (_NOT_DISCRIMINATING,), "歧视"),  # step 15
    NarrowExcuse("bribery", (_PROPER_WAY, _LAWFUL_REDRESS), "路子"),  # step 17
    NarrowExcuse("evasion", (_OWN_MISTAKES,), "避开"),  # step 20
    NarrowExcuse("evasion", (_OWN_RECORD_MISSING,), "查不到"),  # step 20
    NarrowExcuse("evasion", (_OWN_RECORD_MISSING,), "查不了"),  # step 20
    NarrowExcuse("forgery", (_GENUINE_CHECKED,), "假证"),  # step 23
)
"""Step 16: the narrow excuses of steps 14 and 15 as one table. When one does not apply (help asked, or
the rule still matches without its word), the broader excuses below are still tried, for all three."""

_GROUP = r"(居民|群众|大家|老人|老年人|市民|村民|业主|家长|员工|职工|乡亲|街坊|用户|客户|住户|租户|学生)"
_WARNING = re.compile(
    rf"(提醒|警示|提防){_GROUP}.{{0,40}}(骗局|骗子|诈骗|陷阱|套路|是假的|别信|不要信|勿信)"
    rf"|{_GROUP}.{{0,4}}(提醒|警示).{{0,40}}(骗局|骗子|诈骗|陷阱|套路|是假的)"
)
"""Step 15: a warning written for a group that names the scam (由社区发给居民提醒"…"的骗局); the quoted
payload is what the warning is about, so its words cannot excuse it through ``DEFENSIVE``."""
_MISLEAD = re.compile(
    r"让.{0,6}(以为|相信|觉得|误以为)|显得|看起来像|逼真|名义|口吻|冒充|假装|其实|安全账户|转账|转到|汇款|链接"
)
"""A "warning" meant to deceive (让老人以为…, 写得逼真, in an office's name, money moved or a link):
no excuse by ``_WARNING`` or ``_AWARENESS``."""
_DECEIVE = re.compile(
    r"让.{0,6}(以为|相信|觉得|误以为)|显得|看起来像|逼真|名义|口吻|假装|其实"
    r"|(拿去|用来|好去|去)(拉人|招揽|发展)"  # step 20: material used to recruit, not to warn
)
"""Step 16: material meant to deceive (让老人以为…, 写得逼真, in an office's name): no excuse by
``_AWARENESS``, which may name the scam's own hallmarks (冒充, 安全账户, 转账, 链接) that ``_MISLEAD``
holds."""
_ELDERS = r"[^。？?！!，,]{0,4}(爸妈|父母|家人|老人|长辈|奶奶|爷爷|外婆|外公|姥姥|姥爷|孩子|邻居)"
"""Step 17: the people one warns (my parents, grandmother, the neighbours)."""
_AWARENESS = re.compile(
    r"(给|为|向|供|面向)[^。？?！!，,]{0,12}(上课|讲课|讲座|宣讲|普法|预警|防范|反诈)用?"
    rf"|提醒.{{0,4}}{_GROUP}"
    r"|(讲|讲讲|讲解|介绍|梳理|总结|列举|盘点|归纳)[^。？?！!]{0,20}(典型|常见)的?(套路|手法|骗术|伎俩|特征|表现|话术)"
    rf"|(典型|常见|常用)[^。？?！!，,]{{0,4}}(套路|手法|骗术|伎俩|话术|招)[^!！]{{0,24}}(给|跟|向|提醒){_ELDERS}"
    # step 20: a named harm's signs made into a poster (非法集资那几个特点 能做成宣传海报上的文字吗)
    r"|(非法|违法|诈骗|骗局|传销)[^。？?！!]{0,10}(特征|特点|套路|手法|骗术|伎俩|话术)[^。？?！!]{0,12}"
    r"(海报|展板|板报|宣传栏|宣传单|宣传册|横幅)"
)
"""Step 16: awareness material that names a scam's tactics — a class, a talk, a warning tool (做个PPT讲讲
非法集资的典型套路，给老年大学上课用; 检查短信里的诈骗关键词，给社区预警用) — not a request to use them."""
_BENEFIT_APPLICATION = re.compile(
    r"(申请|申领|办理?|写)[^。？?！!]{0,10}(低保|救助|特困|供养|补贴|津贴|慰问金|养老金)"
)
_DATA_ASKED = re.compile(r"(帮我|给我|替我|帮忙)(一下)?(查|调|打听|搜)|告诉我|发我|发给我|你们系统")
"""Step 16: someone's income or circumstances described to apply for a benefit on their behalf (邻居老太太
没收入，怎么帮她申请社会救助): a means test, not a request for their data (``_DATA_ASKED``)."""


_SCAM_NOUN = r"(骗子|骗局|诈骗|套路|电话|短信|手段|伎俩|话术|骗术)"
_SCAM_NAMED = re.compile(
    rf"冒充[^。？?！!，,、]{{1,12}}的{_SCAM_NOUN}|冒充[^。？?！!，,]{{1,12}}(诈骗|骗局)|被冒充"
    r"|(上面|前面|刚才|上回|之前)[^。？?！!]{0,12}(骗局|话术|套路|手段)"
    r"|的(骗子|骗局|骗术)|(骗子|骗局)的(套路|话术|手段|伎俩)"
)
"""Step 22: a scam named as a thing talked about (冒充医保局的短信, 冒充…诈骗, 被冒充, 刷单返利的骗子), or one
explained earlier taken up again (前面说的…骗局)."""
_SCAM_AUDIENCE = re.compile(
    r"提醒|宣传|讲给|讲讲|给[^。？?！!，,]{0,6}(看|听)|家族群|朋友圈|广播|顺口溜|公告|特点|对比|区别|登记"
    r"|举个?例子|总结|缩成|居民|老年人|学生|爸妈|奶奶|爷爷"
)
"""Step 22: who the talk about a scam is for, or what is made of it (提醒, 讲给老人听, 特点, 对比, 总结)."""
_SCAM_AGENT = re.compile(
    r"(我|帮我|教我|替我|我们|怎么|如何|怎样|咋)(去|来)?冒充"
    r"|冒充[^。？?！!]{0,16}(才像|才能|不被|不会被|逼真|像一点|更像|让人信|让.{0,4}(以为|相信))"
    r"|(写|编|拟|设计|来|给我)[^。？?！!]{0,6}(一|几)?(段|套|份|条)[^。？?！!]{0,8}话术|话术.{0,6}(怎么写|写一|模板)"
    r"|(拿去|用来|好去|直接|能)[^。？?！!]{0,6}(骗|坑|忽悠)|改成[^。？?！!]{0,10}话术"
    r"|(我|我自己)(要|去|来|想)[^。？?！!，,]{0,6}(收|打给|上门|吓唬|要钱|催)"
    # dev16: the impersonating message itself written (帮我写个冒充派出所的短信让房客交登记费)
    r"|(设计|策划|组织|搞|做|弄)[^。？?！!，,]{0,8}(骗局|套路)|照着[^。？?！!，,]{0,2}(去|说|做|打|发|讲)|去拉"
    r"|(写|编|拟|起草|做)[一几]?[个份条段封套篇则]?冒充|让[^。？?！!，,]{0,6}(交|转|付|汇)(钱|款|费|[^。？?！!，,]{0,4}费)"
)
"""Step 22: the scam asked to be done (我冒充, 教我冒充, 怎么冒充才像, 写一套话术, 拿去骗, 我要打给…,
写个冒充…的短信, 让…交费): no excuse by ``_SCAM_NAMED``."""
_SCAM_CLASSES = frozenset({"impersonation", "fraud", "daiban_scam", "commercial"})


def _scam_awareness(category: str, text: str) -> bool:
    """Step 22: talk about a named scam made into a warning for someone (冒充医保局的短信有哪些特点，
    发到业主群提醒一下; 前面说的刷单返利骗局讲给学生听), for the classes whose word is the scam's own: no
    ask to do it (``_SCAM_AGENT``) and nothing meant to deceive (``_DECEIVE``)."""
    return (
        category in _SCAM_CLASSES
        and bool(_SCAM_NAMED.search(text))
        and bool(_SCAM_AUDIENCE.search(text))
        and not _SCAM_AGENT.search(text)
        and not _DECEIVE.search(text)
    )


def _excused_by_class(category: str, pattern: re.Pattern[str], text: str) -> bool:
    """Narrow excuses of a rule's word in a lawful context (``NARROW_EXCUSES``), a warning to a group about
    a scam, talk about a named scam made into a warning (step 22) and awareness material about its tactics,
    a benefit applied for on someone's behalf."""
    if any(excuse.excuses(category, pattern, text) for excuse in NARROW_EXCUSES):
        return True
    if (
        category == "rights"
        and _BENEFIT_APPLICATION.search(text)
        and not _DATA_ASKED.search(text)
        and not _LOOKUP.search(text)
    ):
        return True
    if _WARNING.search(text) and not _MISLEAD.search(text):
        return True
    if _scam_awareness(category, text):
        return True
    return bool(_AWARENESS.search(text)) and not _DECEIVE.search(text)


_RECEIVED = re.compile(r"接到|收到")
_MEANT_TO_DECEIVE = re.compile(r"让(?!我)[^。？?！!，,]{0,8}(以为|相信|误以为)")
"""Step 22: a message written to make its recipients believe something (写一份冒充税务局的短信，
让收到的人以为要补税): a 收到/接到 inside 让…以为 names the people to be deceived, not a message one has
received, so it is no ``DEFENSIVE`` framing; one outside it (我爸收到…短信，让他以为…) still is, and so is
让我以为 (oneself misled)."""


_THREAT_TO_ASSISTANT = re.compile(r"[^。？?！!，,]{0,12}(投诉|举报|差评|曝光)你(?!们)[^。？?！!，,]{0,12}")
"""Step 16: a threat to complain about the assistant (不告诉我…我就打12345投诉你这个破机器人): its
投诉 is no defensive framing of the request beside it."""


SUBJECT_CHANGE = (
    r"另外[,，]?(?=[想问再还我请帮顺])",
    "顺便",
    "顺带",
    "对了",
    "再问",
    "还想问",
    "还有一?个问题",
    "还有一?件事",
    "另一个问题",
)
"""Step 21: the words that change the subject (另外想问下, 顺便, 对了, 还有个问题), one list for both of their
uses: where the router ends a message's part after a comma (``assistant.router.screening_parts``) and what
the classifier takes out before the n-grams (``assistant.safety_classifier.CONNECTIVE``). 另外 counts only
before a question or a request (另外想问, 另外我…), not as an adjective (另外的材料)."""


ECHOED = re.compile(
    r"(你|您)(刚才|刚刚|前面|上面|之前|方才)(说|讲|提到|回答)的?(那个|那句|那条)?[“\"「『][^”\"」』]*[”\"」』]"
)
"""Step 17: the assistant's own earlier words quoted back in a follow-up (你刚才说的"冒领养老金要退回"，…):
taken out before the rules read the question (the router does so before it squashes the separators, which
takes the quotation marks out too); what is asked about them is still read."""
YES_NO_FRAME = re.compile(
    r"(只|先|请)?(回答|答|说)(一下)?[:：]?"
    r"(有|能|是|对|可以|需要|会|行)(或|还是|或者|/)(没有|不能|不是|不对|不可以|不需要|不会|不行)[:：,，]?"
)
"""Step 17: "answer yes or no first" (只回答有或没有：…): a frame, taken out before the rules read what is
asked, so that its 没有 does not join the question's first words."""


def unsafe_category(matching_text: str) -> str | None:
    """The risk category of a harmful request, or None (also for the defensive framing of one)."""
    matching_text = ECHOED.sub("。", YES_NO_FRAME.sub("。", fold_colloquial(matching_text)))
    # 我妈让我问，她的…: the relative's own records, unless someone else is named
    relayed = bool(_RELAYED.search(matching_text)) and not _THIRD_PARTY.search(matching_text)
    if (
        _LOOKUP.search(matching_text)
        and _OTHER_PERSON.search(matching_text)
        and not _OWN.search(matching_text)
        and not relayed
        and not lawful_access(matching_text)
    ):
        return "rights"
    override_text = matching_text
    if _OWN_RECORD_MISSING.search(matching_text):  # step 20: 我的学籍查不到 is no trace made unfindable
        override_text = _NOT_FOUND.sub("", matching_text)
    if OVERRIDE.search(override_text):
        return next((c for c, p in RULES if p.search(matching_text)), "evasion")
    if _PLAN_HANDLING.search(matching_text):
        category = next((c for c, p in RULES if p.search(matching_text)), None)
        if category is not None:
            return category
    unquoted = _QUOTED.sub("", matching_text)  # the defensive words of a quoted payload do not count
    unquoted = _THREAT_TO_ASSISTANT.sub("", unquoted)  # nor a threat to complain about the assistant
    # step 22: 让收到的人以为… names the deceived, not a message received
    unquoted = _MEANT_TO_DECEIVE.sub(lambda m: _RECEIVED.sub("", m[0]), unquoted)
    for category, pattern in RULES:
        if pattern.search(matching_text):
            if DEFENSIVE.search(unquoted) or DEFENSIVE.search(_SPACES.sub("", unquoted)):
                return None
            if _ASKED_OF_OFFICE.search(unquoted) and not _ASKS_FOR_HELP.search(unquoted):
                return None
            own = (_OWN.search(matching_text) and not _OTHER_PERSON.search(matching_text)) or relayed
            lawful = _LAWFUL.search(matching_text) or lawful_access(matching_text)
            if category == "rights" and (own or lawful):
                continue  # one's own records (我的社保记录, 本人征信), or an heir's, a guardian's, an agent's
            if _excused_by_class(category, pattern, matching_text):
                continue
            if category == "core_values" and _LICENCE.search(matching_text):
                return None
            return category
    return None
