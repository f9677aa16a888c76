"""The built-in questionnaire: 22 SERVQUAL items for a service counter, in three languages.

The item structure follows Parasuraman, Zeithaml & Berry (1988, refined 1991): tangibles 4,
reliability 5, responsiveness 4, assurance 4, empathy 5, each rated 1-7. The wording is our
own, written for a business hall or service window rather than copied from the original.
"""

from typing import Final

DEFAULT_INSTRUMENT_KEY: Final = "servqual-counter"
LOCALES: Final = ("zh_Hans", "zh_Hant", "en")

# (code, dimension, zh_Hans, zh_Hant, en)
ITEMS: Final[tuple[tuple[str, str, str, str, str], ...]] = (
    (
        "q1",
        "tangibles",
        "营业厅的设备（叫号机、自助终端等）现代、好用。",
        "營業廳的設備（叫號機、自助終端等）現代、好用。",
        "The hall's equipment (queue machine, self-service terminals) is modern and works well.",
    ),
    (
        "q2",
        "tangibles",
        "营业厅干净、明亮、舒适。",
        "營業廳乾淨、明亮、舒適。",
        "The hall is clean, bright and comfortable.",
    ),
    (
        "q3",
        "tangibles",
        "工作人员着装整洁，穿工装、佩戴工号牌。",
        "工作人員著裝整潔，穿工裝、佩戴工號牌。",
        "Staff are neatly dressed, in uniform and wearing a badge with their job number.",
    ),
    (
        "q4",
        "tangibles",
        "表单、资费说明和公告清楚易找。",
        "表單、資費說明和公告清楚易找。",
        "Forms, price lists and notices are clear and easy to find.",
    ),
    (
        "q5",
        "reliability",
        "工作人员承诺在某个时间办好的事，能按时办好。",
        "工作人員承諾在某個時間辦好的事，能按時辦好。",
        "When staff promise to do something by a certain time, they do it.",
    ),
    (
        "q6",
        "reliability",
        "遇到问题时，工作人员真心实意地帮您解决。",
        "遇到問題時，工作人員真心實意地幫您解決。",
        "When you have a problem, staff show a sincere interest in solving it.",
    ),
    (
        "q7",
        "reliability",
        "业务一次就办对，不用返工。",
        "業務一次就辦對，不用返工。",
        "Your business is done right the first time.",
    ),
    (
        "q8",
        "reliability",
        "在承诺的时间内完成服务。",
        "在承諾的時間內完成服務。",
        "The service is finished within the time promised.",
    ),
    (
        "q9",
        "reliability",
        "业务记录和账单准确无误。",
        "業務記錄和帳單準確無誤。",
        "Records and bills are free of errors.",
    ),
    (
        "q10",
        "responsiveness",
        "工作人员明确告诉您业务何时办完。",
        "工作人員明確告訴您業務何時辦完。",
        "Staff tell you exactly when your business will be done.",
    ),
    (
        "q11",
        "responsiveness",
        "工作人员及时为您办理，不让您久等。",
        "工作人員及時為您辦理，不讓您久等。",
        "Staff serve you promptly, without a long wait.",
    ),
    (
        "q12",
        "responsiveness",
        "工作人员总是乐意帮助您。",
        "工作人員總是樂意幫助您。",
        "Staff are always willing to help you.",
    ),
    (
        "q13",
        "responsiveness",
        "工作人员再忙也会回应您的问题。",
        "工作人員再忙也會回應您的問題。",
        "Staff are never too busy to answer your questions.",
    ),
    (
        "q14",
        "assurance",
        "工作人员的言行让您放心。",
        "工作人員的言行讓您放心。",
        "The way staff behave gives you confidence.",
    ),
    (
        "q15",
        "assurance",
        "办理业务时，您的资金和个人信息是安全的。",
        "辦理業務時，您的資金和個人資料是安全的。",
        "You feel that your money and personal data are safe here.",
    ),
    (
        "q16",
        "assurance",
        "工作人员始终礼貌待人，使用文明规范用语。",
        "工作人員始終禮貌待人，使用文明規範用語。",
        "Staff are always courteous and use polite, standard language.",
    ),
    (
        "q17",
        "assurance",
        "工作人员有足够的业务知识回答您的问题。",
        "工作人員有足夠的業務知識回答您的問題。",
        "Staff know enough to answer your questions.",
    ),
    (
        "q18",
        "empathy",
        "工作人员给予您个别的关注。",
        "工作人員給予您個別的關注。",
        "Staff give you individual attention.",
    ),
    (
        "q19",
        "empathy",
        "营业时间方便您。",
        "營業時間方便您。",
        "The opening hours are convenient for you.",
    ),
    (
        "q20",
        "empathy",
        "工作人员关心您（如照顾老年人和残障客户）。",
        "工作人員關心您（如照顧長者和殘障客戶）。",
        "Staff care about you personally (for example, help for elderly or disabled customers).",
    ),
    (
        "q21",
        "empathy",
        "工作人员从您的利益出发，推荐适合您的方案。",
        "工作人員從您的利益出發，推薦適合您的方案。",
        "Staff have your interests at heart and suggest what suits you.",
    ),
    (
        "q22",
        "empathy",
        "工作人员了解您的具体需求。",
        "工作人員了解您的具體需求。",
        "Staff understand your particular needs.",
    ),
)

# (code, zh_Hans, zh_Hant, en)
DIMENSIONS: Final[tuple[tuple[str, str, str, str], ...]] = (
    (
        "tangibles",
        "有形性：环境与设施",
        "有形性：環境與設施",
        "Tangibles: facilities and appearance",
    ),
    ("reliability", "可靠性：说到做到", "可靠性：說到做到", "Reliability: doing what was promised"),
    (
        "responsiveness",
        "响应性：及时主动",
        "響應性：及時主動",
        "Responsiveness: prompt, willing help",
    ),
    (
        "assurance",
        "保证性：专业可信",
        "保證性：專業可信",
        "Assurance: knowledge, courtesy and trust",
    ),
    ("empathy", "移情性：用心关怀", "移情性：用心關懷", "Empathy: care and individual attention"),
)

# (key, zh_Hans, zh_Hant, en)
GENERAL_TEXTS: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("title", "请评价我们的服务", "請評價我們的服務", "How did we serve you?"),
    (
        "intro",
        "每题可选 1（非常不同意）到 7（非常同意），不想答的题可以留空。",
        "每題可選 1（非常不同意）到 7（非常同意），不想答的題可以留空。",
        "Answer each from 1 (strongly disagree) to 7 (strongly agree); leave any you prefer blank.",
    ),
    (
        "overall",
        "总体来说，您对今天的服务满意吗？",
        "總體來說，您對今天的服務滿意嗎？",
        "Overall, how satisfied are you with the service today?",
    ),
)
