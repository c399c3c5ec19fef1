# Labelled HR-style sentences for the guard corpus (see build.py for the markup). DEV is for tuning; MEASURE is
# only measured. They share no sentence.
DEV = [
  # identifiers
  "员工身份证号{ID},请核对。", "她的手机是{MOBILE},下班后也能联系。", "工资卡号{CARD},财务已登记。", "邮箱{EMAIL}已停用。",
  "护照号{PASSPORT},签证还在办。", "加我微信 {WECHAT} 就行。", "QQ:{QQ},有事留言。", "办公室电话{LANDLINE}转人事。",
  "Her mobile is {MOBILE}, call after six.", "Send the letter to {EMAIL} please.", "Passport no. {PASSPORT} expires next year.",
  "WeChat ID: {WECHAT}, ping me there.", "卡号{CARD} 5张发票一起报销。", "ID {ID} on file.", "紧急联系人电话:{MOBILE}(母亲)。",
  "員工身分證{ID},電話{MOBILE}。",
  # addresses
  "我住在[[address|朝阳区建国路88号SOHO现代城2号楼1501室]],通勤一个半小时。", "新地址是[[address|台北市忠孝東路四段123號5樓]]。",
  "他搬到了[[address|九龍彌敦道100號]]附近。", "I live at [[address|221B Baker Street, London NW1 6XE]] now.",
  "Mail goes to [[address|350 5th Ave, Apt 12C, New York, NY 10118]].", "Her flat is at [[address|RG1 4AB]] in Reading.",
  "宿舍在[[address|南山区科技园路12号3栋502]]。", "公司班车经过[[address|浦东新区世纪大道100号]]。",
  # traits
  "[[trait|我今年58岁]]了,想轻松点。", "I'm [[trait|in my fifties]] and want a change.", "[[trait|I'm 58]] and tired of the travel.",
  "My [[trait|wife]] got a transfer to Shanghai.", "We [[trait|just got married]] last month.", "I've been on [[trait|sertraline]] since March.",
  "体检查出[[trait|乳腺结节]],要定期去看。", "We're having [[trait|twins]] in spring.", "她[[trait|怀孕]]了,所以不想出差。",
  "我[[trait|老公]]在外地工作。", "他是[[trait|90后]],比较有想法。", "因为[[trait|抑郁症]]请了三周假。", "[[trait|休完产假]]回来岗位变了。",
  "I joined the [[trait|union]] last year.", "我参加了[[trait|工会]]的维权活动。", "He is [[trait|gay]] and out at work.",
  "她是[[trait|回族]],中午要单独吃饭。", "He has [[trait|diabetes]] and needs breaks.", "I'm [[trait|pregnant]] with our second.",
  "[[trait|我都45岁了]],很难再找工作。", "She [[trait|turned 60]] in May.", "[[trait|離婚]]之後一直狀態不好。",
  # allegations
  "我已经请了[[allegation|律师]]。", "组长一直[[allegation|骚扰]]我。", "我向纪委[[allegation|举报]]了财务问题。",
  "He [[allegation|retaliated]] after I complained.", "[[allegation|After I complained they demoted]] me.", "She is a [[allegation|whistleblower]].",
  "[[allegation|因为我是female就不给promotion]]。", "建议[[allegation|永不錄用]]。", "建议[[allegation|永 不 录 用]]。", "此人[[allegation|不予以录用]]。",
  "已[[allegation|列入不可再雇佣名单]]。", "Mark him as [[allegation|never to rehire]].", "I will take this to the [[allegation|employment tribunal]].",
  "他们这是[[allegation|性别歧视]]。", "[[allegation|怕被报复]],一直没说。",
  # names
  "[[name|Priya]] was great to work with.", "I reported to [[name|Michael Brown]] for two years.", "[[name|欧阳娜娜]]也听到了。",
  "跟[[name|司马文]]沟通过几次。", "[[name|阿强]]经常帮我。", "[[name|王经理]]不同意调岗。", "[[name|张伟]]说要换组。",
  "[[name|诸葛明]]负责那个项目。", "Ask [[name|Kevin]] about the budget.", "[[name|Ms. Chen]] approved the leave.", "[[name|老李]]人挺好的。",
  "和[[name|刘洋]]一起做的方案。", "[[name|Sarah]] said the deadline moved.",
  # vague labels
  "他[[vague|冲劲不足]]。", "She is [[vague|too emotional]] in meetings.", "[[vague|状态一般]],需要观察。", "He is [[vague|not a team player]].",
  # negatives (no spans)
  "员工认为薪酬低于市场水平。", "通勤时间太长,希望调到就近的办公室。", "The team missed two deadlines in Q3.", "项目预算增加了1.5万元。",
  "会议定在3月5日下午2点。", "我们用 Python 3.11 写的脚本。", "订单号 2024031500123 已处理。", "绩效从B提升到A。",
  "He led the migration to the new platform.", "客户满意度达到95%。", "晋升通道不透明是主要原因。", "明天的会议后再讨论。",
  "The union of both datasets is used for training.", "她负责代码复查和质量复查。", "工作内容有挑战,团队氛围不错。",
]

MEASURE = [
  # identifiers
  "请把{ID}这个身份证号从档案里删掉。", "联系电话:{MOBILE}。", "报销打到{CARD}这张卡。", "简历上的邮箱是{EMAIL}。",
  "出差用的护照{PASSPORT}。", "微信号:{WECHAT}", "我的QQ号是{QQ}。", "座机{LANDLINE}。", "Reach me on {MOBILE} any time.",
  "Her personal email is {EMAIL}.", "passport number {PASSPORT}, issued 2020", "Add me on WeChat {WECHAT}.", "My QQ is {QQ}.",
  "身分證字號{ID}。", "新手机{MOBILE},旧号停用。", "银行卡 {CARD} 7月起停用。", "{MOBILE} 5点以后打。", "ID number: {ID}.",
  "备用邮箱 {EMAIL};手机 {MOBILE}", "工资卡{CARD},开户行招商银行。",
  # addresses
  "家在[[address|海淀区中关村大街27号1101室]]。", "寄到[[address|高雄市苓雅區三多四路88號12樓]]就行。", "住[[address|旺角彌敦道688號]]。",
  "Ship it to [[address|1600 Amphitheatre Parkway, Mountain View, CA 94043]].", "My address is [[address|10 Downing Street, London SW1A 2AA]].",
  "She moved to [[address|742 Evergreen Terrace]] last spring.", "Postcode [[address|M1 1AE]], Manchester.", "租在[[address|徐汇区漕溪北路595号A座1203室]]。",
  "[[address|天河区珠江新城华夏路10号]]那边。", "现住[[address|信義區松仁路100號20樓]]。", "I'm at [[address|55 W 46th St, New York, NY 10036]] this month.",
  # traits
  "[[trait|I'm 61]] and planning to slow down.", "She's [[trait|in her late forties]].", "[[trait|我已经50岁]]了,学不动新系统。", "他是[[trait|80后]]。",
  "My [[trait|husband]] is relocating for work.", "I [[trait|got married]] in June.", "我[[trait|老婆]]在老家带孩子。", "[[trait|新婚]]没多久就要出差。",
  "I'm taking [[trait|fluoxetine]] for a while.", "He had [[trait|chemotherapy]] last year.", "查出[[trait|甲状腺结节]],需要手术。", "最近[[trait|住院]]了一周。",
  "[[trait|懷孕]]後不方便加班。", "We're [[trait|expecting our first]] in May.", "她怀了[[trait|双胞胎]]。", "[[trait|预产期]]在八月。",
  "He helped organise the [[trait|union]] meeting.", "我是[[trait|工会会员]]。", "She wears a [[trait|hijab]].", "他[[trait|信佛]],不吃肉。",
  "He uses a [[trait|wheelchair]].", "她是[[trait|残疾人]],需要无障碍工位。", "[[trait|我今年35岁]],压力很大。", "She is [[trait|turning 50]] next week.",
  "我[[trait|离婚]]了,要一个人带孩子。", "The doctor said [[trait|anxiety disorder]].", "[[trait|产假]]结束后就被调岗了。", "他[[trait|同性恋]]的事大家都知道。",
  # allegations
  "我准备申请[[allegation|劳动仲裁]]。", "经理经常[[allegation|辱骂]]我们。", "我[[allegation|实名举报]]过采购。", "I'm going to [[allegation|sue]] them.",
  "They [[allegation|harassed]] her for months.", "I was [[allegation|punished for]] raising it.", "[[allegation|Since I reported]] the fraud, [[allegation|I've been excluded]].",
  "[[allegation|因为我pregnant就不让我升职]]。", "建议[[allegation|不予录用]]。", "[[allegation|永不录用]]!", "[[allegation|不 予 录 用]]。",
  "Recommend [[allegation|do not rehire]].", "He should [[allegation|never be rehired]].", "那是[[allegation|打击报复]]。", "She [[allegation|blew the whistle]] on the vendor.",
  "我被[[allegation|区别对待]]了。", "[[allegation|This is discrimination]], plain and simple.", "他[[allegation|构成性骚扰]]。",
  # names
  "[[name|Anita]] covered for me.", "My manager [[name|John Smith]] refused.", "[[name|上官婉]]也在场。", "问过[[name|皇甫强]]了。",
  "[[name|阿杰]]说他也想走。", "[[name|李总]]拍板了。", "[[name|陈静]]也听到了。", "[[name|Dr. Patel]] signed the note.",
  "[[name|Tom]] said no.", "和[[name|赵磊]]吵过一次。", "[[name|小王]]也离职了。", "[[name|Emily Johnson]] was my mentor.",
  "[[name|慕容雪]]负责招聘。", "[[name|黄总]]让我写报告。", "[[name|David]] told me to wait.",
  # vague labels
  "她[[vague|太情绪化]]。", "He is [[vague|abrasive]].", "[[vague|缺乏冲劲]],需要加强。", "Generally [[vague|low energy]].",
  # negatives
  "离职主要因为职业发展受限。", "Salary is below the market median.", "下个季度目标是提升转化率10%。", "项目延期了两周。",
  "2023年度考核为B+。", "共计3,200元的培训费用。", "The roadmap review is on 12 May.", "他带的团队交付稳定。",
  "建议增加导师辅导。", "版本号 v2.3.1 已发布。", "Q3 revenue grew 12%.", "工号 A10023 的权限已收回。",
  "Call volume was 1,200 per day.", "员工对培训资源表示认可。", "The European Union market is next.",
]

DEV += [
  "[[trait|my wife]] is expecting, so I need flexible hours.", "I'm [[trait|in my sixties]] now.", "[[trait|He's 62]], close to the end.", "他[[trait|年纪大]]了,跟不上节奏。",
  "She has [[trait|epilepsy]].", "I see a [[trait|therapist]] every week.", "做了[[trait|手术]],恢复得还行。", "[[trait|病假]]请了一个月。",
  "她在[[trait|哺乳期]]。", "[[trait|備孕]]中,不想出差。", "[[trait|trying for a baby]] at the moment.", "[[trait|maternity leave]] starts in June.",
  "我[[trait|单身]],可以多出差。", "[[trait|my husband]] handles the kids.", "[[trait|结婚]]后搬到了上海。", "They went on [[trait|strike]] in 2022.",
  "他是[[trait|基督徒]]。", "I am [[trait|autistic]].", "[[trait|外地户口]]的问题一直没解决。", "[[trait|bipolar]] runs in my family.",
  "[[allegation|性骚扰]]的事我报给过HR。", "She [[allegation|bullied]] the new hires.", "I got a [[allegation|lawyer]].", "[[allegation|打官司]]也要讨个说法。",
  "[[allegation|穿小鞋]]是常有的事。", "[[allegation|被排挤]]了半年。", "He called it [[allegation|illegal]].", "[[allegation|拉入黑名单]]吧。",
  "They were [[allegation|racist]] to him.", "I fear [[allegation|retaliation]] if I speak.",
  "[[name|Rahul]] helped me settle in.", "[[name|Olivia Martin]] runs payroll.", "[[name|令狐平]]是我师傅。", "[[name|阿华]]也走了。",
  "[[name|周经理]]很支持我。", "[[name|Mr Wong]] interviewed me.", "[[name|孙丽]]和我一组。", "[[name|Jessica]] said yes.",
  "[[name|钱峰]]也听到了。", "[[name|老张]]说不行。",
  "住在[[address|西湖区文三路90号东部软件园5号楼]]。", "[[address|1 Infinite Loop, Cupertino, CA 95014]] is the old office.", "[[address|沙田區大埔道8號]]。",
  "[[address|EC1A 1BB]] is the postcode.", "搬去[[address|龙华区民治大道200号]]了。",
  "身份证{ID}。", "电话 {MOBILE}。", "QQ {QQ}", "手機{MOBILE}", "Email: {EMAIL}",
  "团队规模扩大到20人。", "I enjoyed the product work.", "Travel budget was cut by 30%.", "她的方案被采纳了。", "年终奖按时发放。",
  "The office is near the metro.", "流程审批太慢。", "He writes clear documentation.", "我们在3号会议室开会。", "Deadline is 5 June.",
  "[[vague|玻璃心]],说不得。", "[[vague|not a culture fit]].", "[[vague|能力一般]]。", "She is [[vague|bossy]].",
]

MEASURE += [
  "I'm [[trait|in my early thirties]].", "[[trait|I am 45]] with two kids.", "[[trait|年过半百]]还在加班。", "[[trait|快退休了]],不想折腾。",
  "He has [[trait|cancer]].", "I'm on [[trait|antidepressants]].", "[[trait|心理咨询]]做了半年。", "[[trait|确诊]]后请了假。",
  "[[trait|孕期]]反应很大。", "She had a [[trait|miscarriage]].", "[[trait|morning sickness]] kept her home.", "[[trait|陪产假]]没批。",
  "我[[trait|未婚]],没有负担。", "[[trait|my fiancé]] lives in Beijing.", "[[trait|婚假]]请了十天。", "She's a [[trait|shop steward]].",
  "他是[[trait|穆斯林]]。", "He is [[trait|deaf]].", "[[trait|农村户口]]也被提了一嘴。", "She suffers from [[trait|migraines]].",
  "组长[[allegation|猥亵]]过实习生。", "He was [[allegation|verbally abused]].", "I'll [[allegation|take the company to court]].", "我要去[[allegation|劳动局]]。",
  "那是[[allegation|秋后算账]]。", "[[allegation|故意针对]]我。", "That was [[allegation|unlawful]].", "[[allegation|列入黑名单]]。",
  "It felt [[allegation|sexist]].", "[[allegation|afraid of retaliation]], I stayed quiet.",
  "[[name|Aisha]] trained me.", "[[name|Robert Lee]] approved it.", "[[name|尉迟敏]]管后勤。", "[[name|阿明]]也听到了。",
  "[[name|吴总]]没回复。", "[[name|Mrs Taylor]] was kind.", "[[name|郑洁]]跟我一起走。", "[[name|Daniel]] said it twice.",
  "[[name|林峰]]说不用。", "[[name|老赵]]也抱怨过。",
  "住在[[address|南京西路1266号恒隆广场2座3801室]]。", "[[address|500 Oracle Pkwy, Redwood City, CA 94065]] is where I work.", "[[address|觀塘道388號]]。",
  "[[address|B33 8TH]] postcode area.", "在[[address|江宁区胜太路18号]]租房。",
  "身份证号:{ID}", "手机:{MOBILE}", "qq:{QQ}", "電話{MOBILE}", "e-mail {EMAIL}",
  "团队交付了三个版本。", "The handover was smooth.", "出差补贴偏低。", "He mentors two juniors.", "考核周期是半年。",
  "The new hire starts Monday.", "办公环境需要改善。", "She presented at the all-hands.", "会议纪要已发。", "Budget is 2.5 million.",
  "[[vague|不够阳光]]。", "[[vague|lacks executive presence]].", "[[vague|执行力差]]。", "He is [[vague|moody]].",
]
